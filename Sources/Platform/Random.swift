// The system CSPRNG: glibc's arc4random_buf, which draws on getrandom(2).
#if canImport(Glibc)
import Glibc
#endif

public enum Random {
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        if count > 0 { out.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) } }
        return out
    }

    /// `count` random bytes as hex: unique names for temp files and message IDs.
    public static func hex(_ count: Int) -> String { Hex.encode(bytes(count)) }
}
