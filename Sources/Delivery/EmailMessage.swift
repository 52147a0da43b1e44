// The RFC 5322 text of an email, built here whatever the transport, so every backend sends the same message.
#if canImport(Glibc)
import Glibc
#endif
import Digests
import OTP
import Platform

public enum EmailMessage {
    public static func render(_ message: OutgoingMessage, from: String, now: Int64 = Clock.unixSeconds()) -> String {
        let domain = messageIDDomain(from)
        let headers = [
            "From: \(from)",
            "To: \(message.recipient.value)",
            "Subject: \(encodedWord(message.subject ?? ""))",
            "Date: \(rfc5322Date(now))",
            "Message-ID: <\(Random.hex(16))@\(domain)>",
            "MIME-Version: 1.0",
        ]
        let (bodyHeaders, body) = MailBody.render(text: message.text, html: message.html, boundary: "=_" + Random.hex(16))
        // Appended line by line: the unspecialized `joined` resolves its types at run time, in every process.
        var text = ""
        for line in headers + bodyHeaders { text += line + "\r\n" }
        return text + "\r\n" + String(decoding: body, as: UTF8.self)
    }

    /// What follows the sender's last `@` (its last non-empty part between `@`s), without `>`; `localhost` when
    /// empty. Read by offsets: the standard library's `split` builds an array of slices, a generic type each process
    /// would build on first use (docs/design.md).
    static func messageIDDomain(_ from: String) -> String {
        let bytes = Array(from.utf8), at = UInt8(ascii: "@")
        var end = bytes.count
        while end > 0 && bytes[end - 1] == at { end -= 1 }
        guard end > 0 else { return "localhost" }
        var start = end
        while start > 0 && bytes[start - 1] != at { start -= 1 }
        var domain: [UInt8] = []
        for byte in bytes[start..<end] where byte != UInt8(ascii: ">") { domain.append(byte) }
        return String(decoding: domain, as: UTF8.self)
    }

    /// RFC 2047 B-encoding for a header that is not plain ASCII: words of at most 42 bytes (56 base64
    /// characters, so `Subject: ` and one word fit 78 columns), cut only where a UTF-8 sequence starts.
    static func encodedWord(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.contains(where: { $0 >= 0x80 }) else { return text }
        var out = "", start = 0
        while start < bytes.count {
            var end = min(start + 42, bytes.count)
            while end < bytes.count && end > start + 1 && bytes[end] & 0xC0 == 0x80 { end -= 1 }
            if !out.isEmpty { out += "\r\n " }
            out += "=?utf-8?b?" + Base64.encode(Array(bytes[start..<end])) + "?="
            start = end
        }
        return out
    }

    static func rfc5322Date(_ seconds: Int64) -> String {
        let t = UTCTime(seconds), two = { (n: Int) in UTCTime.padded(n, 2) }
        return "\(days[t.weekday]), \(two(t.day)) \(months[t.month - 1]) \(t.year) \(two(t.hour)):\(two(t.minute)):\(two(t.second)) +0000"
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}
