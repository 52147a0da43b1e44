// The body of an email as MIME (RFC 2045, 2046): plain text alone, or text and HTML as multipart/alternative.
import Digests

/// Every part is UTF-8. ASCII text whose lines fit SMTP's 998 octets goes as it is (`7bit`), so a plain English
/// message stays readable in a raw mailbox; anything else goes as base64 in 76-character lines, which no
/// relay rewrites and which never needs an 8BITMIME server. Line ends are made CRLF first (the canonical form
/// of text, RFC 2046 section 4.1.1).
enum MailBody {
    /// The headers that describe the body, and the body, each line ending in CRLF. `boundary` is random per
    /// message and starts with `=_`, which neither base64 nor these headers can contain.
    static func render(text: String, html: String?, boundary: String) -> (headers: [String], body: [UInt8]) {
        guard let html else {
            let (encoding, body) = encoded(text)
            return (["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: \(encoding)"], body)
        }
        var body: [UInt8] = []
        for (type, content) in [("plain", text), ("html", html)] {
            let (encoding, encodedBody) = encoded(content)
            body += "--\(boundary)\r\nContent-Type: text/\(type); charset=utf-8\r\nContent-Transfer-Encoding: \(encoding)\r\n\r\n".utf8
            body += encodedBody
        }
        body += "--\(boundary)--\r\n".utf8
        return (["Content-Type: multipart/alternative; boundary=\"\(boundary)\""], body)
    }

    /// `7bit` or `base64`, and the lines.
    static func encoded(_ text: String) -> (String, [UInt8]) {
        var canonical: [UInt8] = []
        canonical.reserveCapacity(text.utf8.count + 8)
        var previous: UInt8 = 0, lineLength = 0, longest = 0, ascii = true
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") && previous != UInt8(ascii: "\r") { canonical.append(UInt8(ascii: "\r")) }
            if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") { lineLength = 0 } else { lineLength += 1 }
            longest = max(longest, lineLength)
            if byte >= 0x80 || byte == 0 { ascii = false }
            canonical.append(byte)
            previous = byte
        }
        if previous == UInt8(ascii: "\r") { canonical.append(UInt8(ascii: "\n")) }
        // A lone CR is not a line end in 7bit data (RFC 2045 section 2.7): such text goes as base64 too.
        let bareCR = zip(canonical, canonical.dropFirst()).contains { $0 == UInt8(ascii: "\r") && $1 != UInt8(ascii: "\n") }
        if ascii && longest <= 998 && !bareCR {
            if canonical.count < 2 || canonical.suffix(2) != [UInt8(ascii: "\r"), UInt8(ascii: "\n")] { canonical += [0x0D, 0x0A] }
            return ("7bit", canonical)
        }
        var out: [UInt8] = []
        let base64 = Array(Base64.encode(canonical).utf8)
        out.reserveCapacity(base64.count + base64.count / 38 + 2)
        var start = 0
        while start < base64.count {
            let end = min(start + 76, base64.count)
            out += base64[start..<end]
            out += [0x0D, 0x0A]
            start = end
        }
        return ("base64", out)
    }
}
