// Which of a request's variables reach its handler: a web server sends two dozen (`SERVER_*`, `SCRIPT_*`, most
// `HTTP_*`) that the handlers never read, and each kept one costs two strings and a hash.
#if canImport(Glibc)
import Glibc
#endif

/// The variables whose names begin with one of the given prefixes, and the meta-variables a request is read from
/// (`CGI.requestVariables`). Names are compared as bytes where they lie, before any string is made; the wanted
/// names are laid out once, in one buffer, since a FastCGI responder tests every variable of every request; in
/// arrays of bytes and integers, not of tuples (docs/design.md, generic types on a request's path).
struct VariableFilter: Sendable {
    /// The prefixes' bytes, then the whole names', one after another.
    private let bytes: [UInt8]
    /// Where each ends in `bytes`: the first `prefixCount` are prefixes.
    private let ends: [Int]
    private let prefixCount: Int

    init(prefixes: [String]) {
        var bytes: [UInt8] = [], ends: [Int] = []
        bytes.reserveCapacity(256)
        ends.reserveCapacity(prefixes.count + CGI.requestVariables.count)
        for name in prefixes { bytes += name.utf8; ends.append(bytes.count) }
        for name in CGI.requestVariables { bytes += name.utf8; ends.append(bytes.count) }
        self.bytes = bytes
        self.ends = ends
        prefixCount = prefixes.count
    }

    enum Kept { case byPrefix, byName }

    /// Why `name` is kept, or nil when it is not.
    func keeps(_ name: UnsafeRawBufferPointer) -> Kept? {
        bytes.withUnsafeBytes { bytes in
            var start = 0
            for (index, end) in ends.enumerated() {
                let count = end - start
                if index < prefixCount ? count <= name.count : count == name.count,
                   count == 0 || memcmp(name.baseAddress!, bytes.baseAddress! + start, count) == 0 {
                    return index < prefixCount ? .byPrefix : .byName
                }
                start = end
            }
            return nil
        }
    }
}
