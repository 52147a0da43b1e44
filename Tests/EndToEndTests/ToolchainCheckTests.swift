// `make`, `make serve` and `make test` on a machine without Swift 6.2: one message saying what to install, and
// nothing run, installed or deleted. Run in a copy of the tree, so that a Makefile that did run would touch a copy.
import Foundation
import Testing
import TestSupport

@Suite struct ToolchainCheckTests {
    /// Each goal a newcomer types first, with no `swift` on PATH and with one older than Package.swift's tools
    /// version: make stops before any recipe, the message names 6.2 and both ways to install it, and neither the
    /// copy nor the directory around it changes. The fake toolchain logs its arguments: only `--version` is asked.
    /// The docs say the same as the message.
    @Test func theDocsNameTheVersionAndBothWaysToInstallIt() {
        _ = README.says("It needs the Swift 6.2 toolchain or later")
        _ = README.says("install swiftly as <https://www.swift.org/install/linux/> shows (its `swiftly init` installs the latest Swift)")
    }

    @Test(arguments: ["", "serve", "test"])
    func stopsAtOnceNamingTheVersionAndHowToInstallIt(goal: String) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        for swift in [nil, "6.1.2", "5.10"] {
            let arguments = goal.isEmpty ? [] : [goal]
            var path = "/usr/bin:/bin:/usr/sbin:/sbin"
            if let swift {
                try sandbox.fakeSwift(version: swift)
                path = sandbox.fakeBin.path + ":" + path
            }
            let before = try sandbox.snapshot()
            let (status, output, errors) = try Self.make(arguments, in: sandbox.tree, path: path)
            let found = swift.map { "swift is Swift \($0)" } ?? "swift was not found"
            #expect(status == 2, "make \(goal) with \(swift ?? "no swift") exited \(status)")
            #expect(output.isEmpty, "make \(goal) printed \(output)")
            #expect(errors.contains("otp-cgi needs Swift 6.2 or later, and \(found)."), "\(errors)")
            #expect(errors.contains("Debian and Ubuntu have no package of it") && errors.contains("https://www.swift.org/install/linux/")
                    && errors.contains("swiftly init") && errors.contains("swift.org's tarball"), "\(errors)")
            #expect(errors.split(separator: "\n").count == 1, "more than the one message: \(errors)")
            #expect(try sandbox.snapshot() == before, "make \(goal) with \(swift ?? "no swift") changed the files around it")
            let calls = try sandbox.swiftCalls()
            #expect(calls.allSatisfy { $0 == "--version" }, "\(calls)")
        }
    }

    /// `make clean` needs no toolchain, and deletes only what the tree's own build made.
    @Test func cleanWorksWithoutSwift() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let build = sandbox.tree.appendingPathComponent(".build")
        try FileManager.default.createDirectory(at: build, withIntermediateDirectories: true)
        let (status, _, errors) = try Self.make(["clean"], in: sandbox.tree, path: "/usr/bin:/bin")
        #expect(status == 0, "\(errors)")
        #expect(!FileManager.default.fileExists(atPath: build.path))
        #expect(FileManager.default.fileExists(atPath: sandbox.tree.appendingPathComponent("Makefile").path))
    }

    /// make as a newcomer types it, in the clone.
    private static func make(_ arguments: [String], in directory: URL, path: String) throws -> (Int32, String, String) {
        let process = Process(), out = Pipe(), err = Pipe()
        process.currentDirectoryURL = directory
        process.executableURL = URL(fileURLWithPath: "/usr/bin/make")
        process.arguments = arguments
        process.environment = ["PATH": path, "HOME": "/nonexistent"]
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile(), errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    /// A copy of the project's tracked files in `outer/tree`, with a fake `swift` in a directory of its own beside
    /// `outer`, whose call log is the one file that may change.
    struct Sandbox {
        let top: URL, outer: URL, tree: URL, fakeBin: URL

        init() throws {
            top = FileManager.default.temporaryDirectory.appendingPathComponent("otp-toolchain-\(UUID().uuidString.prefix(8))")
            outer = top.appendingPathComponent("outer")
            tree = outer.appendingPathComponent("tree")
            fakeBin = top.appendingPathComponent("fake-bin")
            for directory in [tree, fakeBin] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
            try Project.run("/bin/sh", "-c", #"cd "$1" && git ls-files -z | tar --null -T - -cf - | tar -C "$2" -xf -"#, "sh",
                            Project.root.path, tree.path)
            #expect(FileManager.default.fileExists(atPath: tree.appendingPathComponent("Makefile").path))
        }

        func fakeSwift(version: String) throws {
            let script = """
                #!/bin/sh
                echo "$*" >>'\(top.appendingPathComponent("swift-calls").path)'
                echo "Swift version \(version) (swift-\(version)-RELEASE)"
                echo "Target: x86_64-unknown-linux-gnu"

                """
            let file = fakeBin.appendingPathComponent("swift")
            try Data(script.utf8).write(to: file)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }

        func swiftCalls() throws -> [String] {
            let log = top.appendingPathComponent("swift-calls")
            guard FileManager.default.fileExists(atPath: log.path) else { return [] }
            return try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        }

        /// Every path under `outer` with its size and modification time.
        func snapshot() throws -> [String: String] {
            var entries: [String: String] = [:]
            let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey]
            guard let walk = FileManager.default.enumerator(at: outer, includingPropertiesForKeys: keys) else { return [:] }
            for case let url as URL in walk {
                let values = try url.resourceValues(forKeys: Set(keys))
                entries[url.path] = "\(values.fileSize ?? -1) \(values.contentModificationDate?.timeIntervalSince1970 ?? 0)"
            }
            return entries
        }

        func remove() { try? FileManager.default.removeItem(at: top) }
    }
}
