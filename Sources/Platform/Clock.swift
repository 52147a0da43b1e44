// Wall time for expiry (records outlive processes) and monotonic time for deadlines (immune to clock steps).
#if canImport(Glibc)
import Glibc
#endif

public enum Clock {
    public static func unixSeconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }

    /// Seconds and nanoseconds, for names that must sort in the order they were made.
    public static func unixTime() -> (seconds: Int64, nanoseconds: Int) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (Int64(ts.tv_sec), ts.tv_nsec)
    }

    public static func monotonicMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// `nanosleep`, resumed with the time left when a signal interrupts it.
    public static func sleep(milliseconds: Int64) {
        guard milliseconds > 0 else { return }
        var ts = timespec(tv_sec: Int(milliseconds / 1000), tv_nsec: Int(milliseconds % 1000) * 1_000_000)
        var left = timespec()
        while nanosleep(&ts, &left) == -1 && errno == EINTR { ts = left }
    }
}

/// A moment's calendar fields in UTC (`gmtime_r`): the one place dates are taken apart, for every format.
public struct UTCTime: Sendable {
    public let year, month, day, hour, minute, second: Int
    /// 0 is Sunday.
    public let weekday: Int

    public init(_ seconds: Int64) {
        var time = time_t(seconds), parts = tm()
        gmtime_r(&time, &parts)
        (year, month, day) = (Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
        (hour, minute, second, weekday) = (Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(parts.tm_wday))
    }

    /// `n` in decimal, zero-padded to `width` digits.
    public static func padded(_ n: Int, _ width: Int) -> String {
        var digits: [UInt8] = []
        append(n, width: width, to: &digits)
        return String(decoding: digits, as: UTF8.self)
    }

    /// The same digits appended as bytes, for text built as bytes. `n` is not negative.
    public static func append(_ n: Int, width: Int, to out: inout [UInt8]) {
        var divisor = 1, digits = 1
        while n / divisor >= 10 { divisor *= 10; digits += 1 }
        for _ in digits..<max(width, digits) { out.append(UInt8(ascii: "0")) }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(n / divisor % 10))
            divisor /= 10
        }
    }
}
