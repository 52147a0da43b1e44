// The Redis store's record of failed phone providers: a key per provider holding the time it last failed.
import OTP
import Platform

/// `<prefix>provider:sms-twilio` holds the failure's Unix time and expires after the longest pause there can be,
/// so nothing is ever swept; whether the pause still runs is judged against the caller's clock and pause. The keys
/// hold no secret and no identifier.
public struct RedisProviderPauses: ProviderPauses {
    let store: RedisStore
    let log: (String) -> Void
    /// OTP_PROVIDER_PAUSE_SECONDS's maximum.
    static let keptSeconds = 3600

    public init(store: RedisStore, log: @escaping (String) -> Void) {
        (self.store, self.log) = (store, log)
    }

    func key(_ name: String) -> String { "\(store.prefix)provider:\(name)" }

    /// One GET per provider rather than an MGET: in a cluster the keys may live on different nodes.
    public func paused(_ providers: [String], seconds: Int, now: Int64) -> Set<String> {
        var out: Set<String> = []
        for provider in providers {
            guard let name = ProviderName.storageName(provider) else { continue }
            do throws(StoreFault) {
                let reply = try store.call([Array("GET".utf8), Array(key(name).utf8)], key: key(name), idempotent: true)
                if case .bulk(let bytes?) = reply, let failed = Int64(String(decoding: bytes, as: UTF8.self)), now - failed < Int64(seconds) {
                    out.insert(provider)
                }
            } catch {
                log("provider pause: cannot read whether \(provider) failed: \(error)")
            }
        }
        return out
    }

    public func recordFailure(_ provider: String, now: Int64) {
        guard let name = ProviderName.storageName(provider) else { return log("provider pause: no such provider name \(provider)") }
        let command = ["SET", key(name), String(now), "EX", String(Self.keptSeconds)].map { Array($0.utf8) }
        do throws(StoreFault) {
            if case .error(let message) = try store.call(command, key: key(name), idempotent: true) {
                log("provider pause: cannot record that \(provider) failed: \(message)")
            }
        } catch {
            log("provider pause: cannot record that \(provider) failed: \(error)")
        }
    }
}
