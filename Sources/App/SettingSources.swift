// Where a FastCGI request's settings come from: the responder's own environment, and what a request may add.
import OTP

/// Whoever can connect to a responder's socket writes its PARAMS: the web server on a Unix socket only it and the
/// responder's group may open, anyone on the host (or the network) on a TCP one. So the responder's own environment
/// (FcgidInitialEnv, spawn-fcgi's or systemd's `Environment=`/`EnvironmentFile=`, root's to write) always wins; a
/// request may fill in a setting it leaves unset, but never one that names a program, a file or a directory
/// (`SettingsReader.namesLocalResource`), and over TCP none at all. A request that tries gets 500 naming the setting
/// rather than a quiet fallback: a deployment that sends it there means it, and should learn where it belongs.
public struct SettingSources: Sendable {
    /// The setting variables of the responder's own environment.
    let own: [String: String]
    /// False on a TCP listener: no setting comes from a request.
    let requestsMaySet: Bool

    public init(environment: [String: String], requestsMaySet: Bool) {
        own = environment.filter { SettingsReader.isSettingName($0.key) }
        self.requestsMaySet = requestsMaySet
    }

    /// The setting variables of a request: the responder's own, and those a request may fill in. The request's
    /// other variables are left out: the settings read none of them, and a process keeps settings by these alone.
    func settings(for params: [String: String]) throws(OTPError) -> [String: String] {
        var chosen = own
        chosen.reserveCapacity(own.count + params.count)
        for (name, value) in params where SettingsReader.isSettingName(name) {
            let kept = own[name]
            if kept != value && !value.isEmpty {
                guard requestsMaySet, !SettingsReader.namesLocalResource(name) else {
                    throw .misconfigured("\(name) is read from the FastCGI responder's own environment, not from a request's parameters"
                        + (requestsMaySet ? "" : " (none are over TCP)") + ": set it where the responder is started")
                }
            }
            if kept == nil { chosen[name] = value }
        }
        return chosen
    }
}
