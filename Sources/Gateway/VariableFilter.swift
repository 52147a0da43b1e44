// Which of a request's variables reach its handler: a web server sends two dozen (`SERVER_*`, `SCRIPT_*`, most
// `HTTP_*`) that the handlers never read, and each kept one costs two strings and a hash.
#if canImport(Glibc)
import Glibc
#endif

/// The variables whose names begin with one of the given prefixes, and the meta-variables a request is read from
/// (`CGI.requestVariables`). Names are compared as bytes where they lie, before any string is made; the wanted
/// names are laid out once, in one buffer, since a FastCGI responder tests every variable of every request.
struct VariableFilter: Sendable {
    /// Each wanted name or prefix: where its bytes are in `bytes`, and whether a name must be all of it.
    private let wanted: [(start: Int, count: Int, whole: Bool)]
    private let bytes: [UInt8]

    init(prefixes: [String]) {
        var wanted: [(start: Int, count: Int, whole: Bool)] = [], bytes: [UInt8] = []
        for (name, whole) in prefixes.map({ ($0, false) }) + CGI.requestVariables.map({ ($0, true) }) {
            wanted.append((bytes.count, name.utf8.count, whole))
            bytes += name.utf8
        }
        self.wanted = wanted
        self.bytes = bytes
    }

    func keeps(_ name: UnsafeRawBufferPointer) -> Bool {
        bytes.withUnsafeBytes { bytes in
            wanted.contains { want in
                (want.whole ? want.count == name.count : want.count <= name.count)
                    && (want.count == 0 || memcmp(name.baseAddress!, bytes.baseAddress! + want.start, want.count) == 0)
            }
        }
    }
}
