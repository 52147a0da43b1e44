// Which phone providers failed a moment ago: kept in the store, as everything that outlives a CGI process is.

/// Which providers failed recently, kept where everything that outlives a CGI process is kept (the store),
/// so a dead provider costs one request its timeout, not every request.
public protocol ProviderPauses {
    /// The names among `providers` (e.g. "sms/twilio") that failed less than `seconds` before `now`.
    func paused(_ providers: [String], seconds: Int, now: Int64) -> Set<String>
    /// Best effort: a failure to record is logged by the implementation, never thrown.
    func recordFailure(_ provider: String, now: Int64)
}

public enum ProviderName {
    /// "sms/twilio" as a file or key name, "sms-twilio"; nil for anything but a channel and a name of lowercase
    /// ASCII letters, digits and hyphens, so a name can never leave the directory or the key's namespace.
    public static func storageName(_ provider: String) -> String? {
        let parts = provider.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ part in
            !part.isEmpty && part.utf8.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2d }
        }) else { return nil }
        return "\(parts[0])-\(parts[1])"
    }
}
