// The RFC 5322 text of an email, built here whatever the transport, so every backend sends the same message.
#if canImport(Glibc)
import Glibc
#endif
import Crypto
import OTP
import System

public enum EmailMessage {
    public static func render(_ message: OutgoingMessage, from: String, now: Int64 = Clock.unixSeconds()) -> String {
        let domain = from.split(separator: "@").last.map { String($0).filter { $0 != ">" } } ?? "localhost"
        let headers = [
            "From: \(from)",
            "To: \(message.recipient.value)",
            "Subject: \(encodedWord(message.subject ?? ""))",
            "Date: \(rfc5322Date(now))",
            "Message-ID: <\(Random.hex(16))@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
        ]
        let body = message.text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        // Appended line by line: the unspecialized `joined` resolves its types at run time, in every process.
        var text = ""
        for line in headers + [""] + body { text += line + "\r\n" }
        return text
    }

    /// RFC 2047 B-encoding for a header that is not plain ASCII, in words short enough for a 78-column line.
    static func encodedWord(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return text }
        var words: [String] = [], chunk: [UInt8] = []
        for character in text {
            let bytes = Array(character.utf8)
            if chunk.count + bytes.count > 45 { words.append("=?utf-8?b?\(Base64.encode(chunk))?="); chunk = [] }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?b?\(Base64.encode(chunk))?=") }
        return words.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ seconds: Int64) -> String {
        let t = UTCTime(seconds), two = { (n: Int) in UTCTime.padded(n, 2) }
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(days[t.weekday]), \(two(t.day)) \(months[t.month - 1]) \(t.year) \(two(t.hour)):\(two(t.minute)):\(two(t.second)) +0000"
    }
}
