// The RFC 5322 text of an email, built here whatever the transport, so every backend sends the same message.
#if canImport(Glibc)
import Glibc
#endif
import Digests
import OTP
import Platform

public enum EmailMessage {
    /// The message's bytes, as every transport sends them. Built as bytes, piece by piece: a line of its own
    /// interpolated string each, joined, cost a generate a fifth of its work.
    public static func render(_ message: OutgoingMessage, from: String, now: Int64 = Clock.unixSeconds()) -> [UInt8] {
        let (bodyHeaders, body) = MailBody.render(text: message.text, html: message.html, boundary: "=_" + Random.hex(16))
        var out: [UInt8] = []
        out.reserveCapacity(512 + body.count)
        func endLine() { out.append(0x0D); out.append(0x0A) }
        func line(_ parts: String...) {
            for part in parts { out += part.utf8 }
            endLine()
        }
        line("From: ", from)
        line("To: ", message.recipient.value)
        line("Subject: ", encodedWord(message.subject ?? ""))
        out += "Date: ".utf8
        appendDate(now, to: &out)
        endLine()
        line("Message-ID: <", Random.hex(16), "@", messageIDDomain(from), ">")
        line("MIME-Version: 1.0")
        for header in bodyHeaders { line(header) }
        endLine()
        out += body
        return out
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

    /// RFC 5322 section 3.3, in UTC: `Sun, 06 Dec 2026 05:25:34 +0000`.
    static func appendDate(_ seconds: Int64, to out: inout [UInt8]) {
        let t = UTCTime(seconds)
        out += days[t.weekday].utf8
        out += ", ".utf8
        UTCTime.append(t.day, width: 2, to: &out)
        out.append(0x20)
        out += months[t.month - 1].utf8
        out.append(0x20)
        UTCTime.append(t.year, width: 4, to: &out)
        out.append(0x20)
        UTCTime.append(t.hour, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        UTCTime.append(t.minute, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        UTCTime.append(t.second, width: 2, to: &out)
        out += " +0000".utf8
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}
