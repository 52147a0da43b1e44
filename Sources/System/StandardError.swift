// Diagnostics for the web server's error log: stdout carries only the HTTP answer, so every line goes to stderr.
#if canImport(Glibc)
import Glibc
#endif

public enum StandardError {
    /// One write per line, so lines of processes writing at once do not interleave.
    public static func log(_ line: String) {
        try? Syscall.writeAll(2, Array(("otp-cgi: " + line + "\n").utf8))
    }
}
