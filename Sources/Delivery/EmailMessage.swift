// The RFC 5322 text of an email, built here whatever the transport, so every backend sends the same message.
#if canImport(Glibc)
import Glibc
#endif
import Digests
import OTP
import Platform

public enum EmailMessage {
    public static func render(_ message: OutgoingMessage, from: String, now: Int64 = Clock.unixSeconds()) -> String {
        let fromBytes = Array(from.utf8)
        let domain = fromBytes.split(separator: UInt8(ascii: "@")).last.map { String(decoding: $0.filter { $0 != UInt8(ascii: ">") }, as: UTF8.self) } ?? "localhost"
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
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(days[t.weekday]), \(two(t.day)) \(months[t.month - 1]) \(t.year) \(two(t.hour)):\(two(t.minute)):\(two(t.second)) +0000"
    }
}
