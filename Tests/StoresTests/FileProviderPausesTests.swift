// Failed providers recorded in the file store's directory: a time per provider, read back by any process.
import Testing
import Glibc
@testable import Stores
import OTP

@Suite struct FileProviderPausesTests {
    let dir = TemporaryDirectory()

    @Test func aFailureIsSeenByAnotherInstanceUntilThePauseIsOver() {
        FileProviderPauses(directory: dir.path, log: { _ in }).recordFailure("sms/twilio", now: 1000)
        let reader = FileProviderPauses(directory: dir.path, log: { _ in })
        #expect(reader.paused(["sms/twilio", "sms/http"], seconds: 60, now: 1059) == ["sms/twilio"])
        #expect(reader.paused(["sms/twilio", "sms/http"], seconds: 60, now: 1060) == [])
        #expect(reader.paused(["whatsapp/twilio"], seconds: 60, now: 1001) == [])
    }

    @Test func theFileIsEmptyPrivateAndNamedForTheProvider() {
        FileProviderPauses(directory: dir.path, log: { _ in }).recordFailure("sms/http", now: 1000)
        var info = stat()
        #expect(stat(dir.path + "/providers", &info) == 0 && info.st_mode & 0o777 == 0o700)
        #expect(stat(dir.path + "/providers/sms-http", &info) == 0 && info.st_mode & 0o777 == 0o600 && info.st_size == 0)
        #expect(info.st_mtim.tv_sec == 1000)
    }

    @Test(arguments: ["sms/../x", "sms", "SMS/twilio", "sms/twi lio", "/twilio"])
    func aNameThatIsNotAChannelAndAProviderIsNeverAPath(name: String) {
        var lines: [String] = []
        FileProviderPauses(directory: dir.path, log: { lines.append($0) }).recordFailure(name, now: 1000)
        #expect(lines == ["provider pause: no such provider name \(name)"])
        #expect(FileProviderPauses(directory: dir.path, log: { _ in }).paused([name], seconds: 60, now: 1000) == [])
    }

    @Test func aDirectoryThatCannotBeWrittenIsLoggedNotThrown() {
        var lines: [String] = []
        FileProviderPauses(directory: dir.path + "/missing", log: { lines.append($0) }).recordFailure("sms/twilio", now: 1000)
        #expect(lines.count == 1 && lines[0].hasPrefix("provider pause: cannot record that sms/twilio failed: open"))
    }
}
