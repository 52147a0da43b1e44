// `--config FILE`: SetEnv lines read as Apache reads them, lines ending at the LF byte.
import Foundation
import Testing
@testable import App

@Suite struct ApacheSetEnvTests {
    @Test func linesEndAtTheLineFeedByteAndAMarkAfterItStartsTheNextLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("otp-setenv-\(UUID().uuidString).conf")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("SetEnv A one\n\u{0301}SetEnv B two\r\nSetEnv C \"x y\"\r\n# SetEnv D no\n".utf8).write(to: file)
        #expect(try ApacheSetEnv.settings(in: file.path) == ["A": "one", "C": "x y"])
    }
}
