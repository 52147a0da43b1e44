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
        let name = Self.name(seconds, nanoseconds)
        let bytes = EmailMessage.render(message, from: from, now: seconds)
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

    /// Sorts by time like Django's `%Y%m%d-%H%M%S` names, then nanoseconds, so that two messages of one second sort
    /// in the order they were written; a random tag keeps two processes' names apart. Built as bytes, as the message is.
    private static func name(_ seconds: Int64, _ nanoseconds: Int) -> String {
        let t = UTCTime(seconds)
        var name: [UInt8] = []
        name.reserveCapacity(40)
        UTCTime.append(t.year, width: 4, to: &name)
        UTCTime.append(t.month, width: 2, to: &name)
        UTCTime.append(t.day, width: 2, to: &name)
        name.append(UInt8(ascii: "-"))
        UTCTime.append(t.hour, width: 2, to: &name)
        UTCTime.append(t.minute, width: 2, to: &name)
        UTCTime.append(t.second, width: 2, to: &name)
        name.append(UInt8(ascii: "."))
        UTCTime.append(nanoseconds, width: 9, to: &name)
        name.append(UInt8(ascii: "-"))
        name += Random.hex(4).utf8
        name += ".eml".utf8
        return String(decoding: name, as: UTF8.self)
    }
}
