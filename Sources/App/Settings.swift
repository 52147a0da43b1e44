// Every setting of one request, each layer's part parsed by that layer from the same injected environment.
import Delivery
import Web
import OTP
import Stores

/// The names `HTTP_*` variables never feed: request headers arrive under that prefix, and no layer reads one.
public struct Settings: Sendable {
    public var service: ServiceSettings
    public var store: StoreSettings
    public var delivery: DeliverySettings
    public var web: WebSettings

    /// `own` is the process's own environment when `env` is a FastCGI request's PARAMS: a setting that names a
    /// file holding a provider's secret is taken from it alone. Under CGI the two are one.
    public init(environment env: [String: String], own: [String: String]? = nil) throws(OTPError) {
        let reader = SettingsReader(env: env)
        service = try ServiceSettings(reader)
        store = try StoreSettings(reader)
        delivery = try DeliverySettings(reader, own: own.map(SettingsReader.init(env:)))
        web = try WebSettings(reader)
        // Compared as bytes: a path that goes on with a combining mark after the directory's `/` is still inside it.
        if let keyFile = service.secretKeyFile, case .file = store.location, keyFile.utf8.starts(with: (store.directory + "/").utf8) {
            throw .misconfigured("OTP_SECRET_KEY_FILE must be outside OTP_STORE_DIR, so that no copy of the store holds the key")
        }
    }
}

extension Settings {
    /// Every setting's name starts with one of these; a request's own variables (`HTTP_*`, `REMOTE_*`,
    /// `CONTENT_*`, `REQUEST_*` ...) never do.
    static let namePrefixes = ["OTP_", "EMAIL_", "DEFAULT_FROM_EMAIL", "SMS_", "WA_"]

    /// The setting variables of `env`, name and value, in name order: equal keys parse to equal settings.
    static func key(_ env: [String: String]) -> [UInt8] {
        var key: [UInt8] = []
        for (name, value) in env.filter({ pair in namePrefixes.contains { pair.key.hasPrefix($0) } }).sorted(by: { $0.key < $1.key }) {
            key += name.utf8
            key.append(0)
            key += value.utf8
            key.append(0)
        }
        return key
    }
}
