// Comparison whose duration does not depend on where two byte strings first differ.

public enum ConstantTime {
    /// Lengths are not secret here (always digest-sized), so a length mismatch may return early.
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
