// Temp file, then rename: the new file whole under its name, or the old one and no temp file left.
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Platform

@Suite struct AtomicFileTests {
    /// A fresh directory, its descriptor, and the names in it.
    final class Directory {
        let path: String
        let fd: Int32
        init() {
            var template = Array("/tmp/otp-atomic-XXXXXX".utf8CString)
            path = String(cString: mkdtemp(&template)!)
            fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        deinit {
            for name in names { unlinkat(fd, name, 0) }
            close(fd)
            rmdir(path)
        }
        var names: [String] {
            guard let dir = opendir(path) else { return [] }
            defer { closedir(dir) }
            var names: [String] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { names.append(name) }
            }
            return names.sorted()
        }
        func contents(_ name: String) -> [UInt8]? {
            let file = openat(fd, name, O_RDONLY | O_CLOEXEC)
            guard file >= 0 else { return nil }
            defer { close(file) }
            return try? Syscall.readAll(file, limit: 1 << 16)
        }
    }

    @Test func theNewFileReplacesTheOldWhole() throws {
        let dir = Directory()
        try AtomicFile.replace(in: dir.fd, "record", temp: ".tmp.1", with: Array("old".utf8), "record")
        try AtomicFile.replace(in: dir.fd, "record", temp: ".tmp.2", with: Array("new".utf8), "record")
        #expect(dir.names == ["record"] && dir.contents("record") == Array("new".utf8))
    }

    /// A failure before the rename (here the caller's own step) leaves the old file and removes the temp file.
    @Test func aFailureLeavesTheOldFileAndNoTempFile() throws {
        let dir = Directory()
        try AtomicFile.replace(in: dir.fd, "record", temp: ".tmp.1", with: Array("old".utf8), "record")
        #expect(throws: SystemError.self) {
            try AtomicFile.replace(in: dir.fd, "record", temp: ".tmp.2", with: Array("new".utf8), "record") { _ throws(SystemError) in
                throw SystemError(call: "fsync record", errno: Errno(EIO))
            }
        }
        #expect(dir.names == ["record"] && dir.contents("record") == Array("old".utf8))
    }

    /// O_EXCL: a temp file left by a writer that died is never written through.
    @Test func aLeftoverTempFileIsNotReused() throws {
        let dir = Directory()
        try AtomicFile.replace(in: dir.fd, ".tmp.1", temp: ".tmp.0", with: Array("leftover".utf8), "leftover")
        #expect(throws: SystemError.self) { try AtomicFile.replace(in: dir.fd, "record", temp: ".tmp.1", with: Array("new".utf8), "record") }
        #expect(dir.names == [".tmp.1"] && dir.contents(".tmp.1") == Array("leftover".utf8))
    }
}
