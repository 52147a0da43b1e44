// Django's "filebased" email backend: one message per file in EMAIL_FILE_PATH, for local use and tests.
#if canImport(Glibc)
import Glibc
#endif
import OTP
import Platform

struct FileEmailSender: Sender {
    let directory: String
    let from: String

    /// The message appears whole or not at all (temp file, then rename), so a reader never sees half of one. Both
    /// names are paths, so a message costs no call on the directory itself; it is made when a message finds it missing.
    func send(_ message: OutgoingMessage) throws(DeliveryFault) {
        let (seconds, nanoseconds) = Clock.unixTime()
        let name = "\(Self.stamp(seconds)).\(UTCTime.padded(nanoseconds, 9))-\(Random.hex(4)).eml"
        let bytes = Array(EmailMessage.render(message, from: from, now: seconds).utf8)
        let write = { () throws(SystemError) in
            try AtomicFile.replace(in: AT_FDCWD, directory + "/" + name, temp: directory + "/." + name + ".tmp", with: bytes, "message")
        }
        do throws(SystemError) {
            do throws(SystemError) {
                try write()
            } catch where error.errno == Errno(ENOENT) {
                _ = try Syscall.makeDirectory(directory)
                try write()
            }
        } catch {
            throw DeliveryFault("writing to EMAIL_FILE_PATH: \(error)")
        }
    }

    /// Sorts by time like Django's `%Y%m%d-%H%M%S` names; the caller adds nanoseconds so that two messages of
    /// one second sort in the order they were written.
    private static func stamp(_ seconds: Int64) -> String {
        let t = UTCTime(seconds), pad = UTCTime.padded
        return pad(t.year, 4) + pad(t.month, 2) + pad(t.day, 2) + "-" + pad(t.hour, 2) + pad(t.minute, 2) + pad(t.second, 2)
    }
}
