// Diagnostics for the web server's error log: stdout carries only the HTTP answer, so every line goes to stderr.
#if canImport(Glibc)
import Glibc
#endif

public enum StandardError {
    /// What every line starts with, so that the service's lines can be told from the server's own.
    public static let prefix = "otp-cgi: "

    /// One write per line, so lines of processes writing at once do not interleave.
    public static func log(_ line: String) {
        try? Syscall.writeAll(2, logLine(line))
    }

    /// `otp-cgi: ` and the text, with every control character written as `\xNN` (C1 controls and the Unicode line
    /// and paragraph separators as `\u{NNNN}`), then one line feed: a client's `\n` or `%0D` in a field can never
    /// start a line of its own that looks like ours. Judged on bytes, as a log reader sees them.
    public static func logLine(_ text: String) -> [UInt8] {
        var out: [UInt8] = Array(prefix.utf8)
        out.reserveCapacity(text.utf8.count + 16)
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            let scalar: UInt32? = switch byte {
            case 0..<0x20, 0x7f: UInt32(byte)
            case 0xC2 where i + 1 < bytes.count && (0x80...0x9f).contains(bytes[i + 1]): UInt32(bytes[i + 1])
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] & 0xFE) == 0xA8: bytes[i + 2] == 0xA8 ? 0x2028 : 0x2029
            default: nil
            }
            guard let scalar else { out.append(byte); i += 1; continue }
            if scalar < 0x80 {
                out += [UInt8(ascii: "\\"), UInt8(ascii: "x"), ASCII.hexDigit(Int(scalar >> 4)), ASCII.hexDigit(Int(scalar & 0xf))]
            } else {
                out += Array("\\u{".utf8)
                for shift in stride(from: 12, through: 0, by: -4) { out.append(ASCII.hexDigit(Int(scalar >> UInt32(shift) & 0xf))) }
                out.append(UInt8(ascii: "}"))
            }
            i += scalar < 0x80 ? 1 : scalar < 0x800 ? 2 : 3
        }
        out.append(UInt8(ascii: "\n"))
        return out
    }
}
