// Settings to a store, senders and a service: the one place that knows every concrete type.
import Delivery
import HTTP
import OTP
import Stores
import System

public enum Wire {
    /// The store OTP_STORE_URL names, built per request from the settings alone: nothing global to go stale
    /// when one process serves many requests.
    public static func store(_ settings: StoreSettings, log: @escaping (String) -> Void) -> any OTPStore {
        switch settings.location {
        case .file: fileStore(settings, log: log)
        case .redis(let endpoint):
            RedisStore(endpoint: endpoint, prefix: settings.redisPrefix, connectTimeoutMilliseconds: settings.connectTimeoutMilliseconds,
                       readTimeoutMilliseconds: settings.readTimeoutMilliseconds)
        }
    }

    public static func fileStore(_ settings: StoreSettings, log: @escaping (String) -> Void) -> FileStore {
        FileStore(path: settings.directory, lockTimeoutMilliseconds: settings.lockTimeoutMilliseconds, log: { log("store: " + $0) })
    }

    /// The service for one request, with a store from `makeStore`.
    public static func service(_ settings: Settings, store: any OTPStore, log: @escaping (String) -> Void) -> OTPService {
        let delivery = settings.delivery
        return OTPService(settings: settings.service, store: store,
                          senders: { (channel: Channel) throws(OTPError) -> any Sender in
                              try Senders.sender(for: channel, settings: delivery, log: log)
                          },
                          messages: messages(settings), log: log)
    }

    /// The built-in translations, the operator's texts and template folder, with what the SMS count depends on.
    public static func messages(_ settings: Settings) -> MessageCatalog {
        MessageCatalog(settings.delivery.messages, webOTPDomain: settings.delivery.webOTPDomain,
                       codeLength: settings.service.codeLength, ttlSeconds: settings.service.ttlSeconds)
    }

    /// For `--check`: every problem of the message templates a request could meet, with a code of the configured
    /// length, through every channel and locale (built-in and OTP_TEMPLATE_DIR's folders). Empty when all is well.
    public static func messageProblems(_ settings: Settings) -> [String] {
        messages(settings).problems()
    }

    /// A CGI process serves one request: everything is built for it and dies with it.
    public static func perRequest(_ env: [String: String], _ log: @escaping (String) -> Void) throws(OTPError) -> (HTTPSettings, OTPService) {
        let settings = try Settings(environment: env)
        return (settings.http, service(settings, store: store(settings.store, log: log), log: log))
    }
}

/// What a FastCGI process keeps between requests: one file store per directory (its open root), so a second
/// request does not open it again. Its log lines go to the STDERR stream of the request being answered. A Redis
/// store connects per request, as under CGI.
public final class KeptStores {
    private var stores: [String: FileStore] = [:]
    private var requestLog: (String) -> Void = StandardError.log

    public init() {}

    public func wiring(_ env: [String: String], _ log: @escaping (String) -> Void) throws(OTPError) -> (HTTPSettings, OTPService) {
        let settings = try Settings(environment: env)
        requestLog = log
        return (settings.http, Wire.service(settings, store: store(settings.store, log: log), log: log))
    }

    private func store(_ settings: StoreSettings, log: @escaping (String) -> Void) -> any OTPStore {
        guard case .file = settings.location else { return Wire.store(settings, log: log) }
        let key = "\(settings.directory) \(settings.lockTimeoutMilliseconds)"
        if let store = stores[key] { return store }
        let store = Wire.fileStore(settings, log: { [unowned self] in self.requestLog($0) })
        stores[key] = store
        return store
    }
}
