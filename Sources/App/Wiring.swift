// Settings to a store, senders and a service: the one place that knows every concrete type.
#if canImport(Glibc)
import Glibc
#endif
import Delivery
import Gateway
import Web
import OTP
import Stores
import Platform

public enum Wire {
    /// The store OTP_STORE_URL names, from the settings alone: nothing global to go stale when one process
    /// serves many requests.
    public static func store(_ settings: StoreSettings, log: @escaping (String) -> Void) -> any OTPStore {
        switch settings.location {
        case .file: fileStore(settings, log: log)
        case .redis(let endpoint):
            RedisStore(endpoint: endpoint, prefix: settings.redisPrefix, connectTimeoutMilliseconds: settings.connectTimeoutMilliseconds,
                       readTimeoutMilliseconds: settings.readTimeoutMilliseconds)
        }
    }

    public static func fileStore(_ settings: StoreSettings, log: @escaping (String) -> Void) -> FileStore {
        FileStore(path: settings.directory, lockTimeoutMilliseconds: settings.lockTimeoutMilliseconds, sync: settings.sync,
                  log: { log("store: " + $0) })
    }

    /// The service for one request, with the store its caller keeps or makes (`store(_:log:)`).
    public static func service(_ settings: Settings, store: any OTPStore, log: @escaping (String) -> Void) -> OTPService {
        let delivery = settings.delivery, storeSettings = settings.store
        return OTPService(settings: settings.service, store: store,
                          senders: { (channel: Channel) throws(OTPError) -> any Sender in
                              try Senders.sender(for: channel, settings: delivery, pauses: pauses(storeSettings, store: store, log: log),
                                                 log: log)
                          },
                          messages: messages(settings), log: log)
    }

    /// Which phone providers failed a moment ago, kept in the same store as the codes, so every process agrees.
    public static func pauses(_ settings: StoreSettings, store: any OTPStore, log: @escaping (String) -> Void) -> any ProviderPauses {
        if let redis = store as? RedisStore { return RedisProviderPauses(store: redis, log: { log("store: " + $0) }) }
        return FileProviderPauses(directory: settings.directory, log: { log("store: " + $0) })
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
    public static func perRequest(_ request: Request, _ log: @escaping (String) -> Void) throws(OTPError) -> (WebSettings, OTPService) {
        let settings = try Settings(environment: request.settingVariables)
        return (settings.web, service(settings, store: store(settings.store, log: log), log: log))
    }
}

/// What a FastCGI process keeps between requests, and nothing of any one request: the settings parsed from each
/// distinct set of setting variables, one store per store settings (a file store's open root, a Redis store's
/// connections), and nothing else. Store log lines go to the STDERR stream of the request being answered.
public final class KeptStores {
    /// Bounds what a process keeps however many virtual hosts send it requests; past it everything is dropped.
    static let limit = 16
    private var settings: [[String: String]: Settings] = [:]
    private var last: (variables: [UInt8], settings: Settings)?
    private var stores: [(StoreSettings, any OTPStore)] = []
    private var requestLog: (String) -> Void = StandardError.log
    /// How many times settings were parsed (tests check that one virtual host's are parsed once).
    private(set) var parsed = 0
    /// Where each setting of a request comes from: the responder's own environment, and what a request may add.
    let sources: SettingSources

    public init(sources: SettingSources) { self.sources = sources }

    /// A responder on a Unix socket, with `own` as its environment.
    public convenience init(own: [String: String] = CGI.processEnvironment()) {
        self.init(sources: SettingSources(environment: own, requestsMaySet: true))
    }

    public func wiring(_ request: Request, _ log: @escaping (String) -> Void) throws(OTPError) -> (WebSettings, OTPService) {
        let settings = try self.settings(request)
        requestLog = log
        return (settings.web, Wire.service(settings, store: store(settings.store), log: log))
    }

    /// Keyed by the exact setting variables, so that a request's own variables (its address, its headers, its
    /// length) do not make each request parse again, and two virtual hosts never share settings.
    private func settings(_ request: Request) throws(OTPError) -> Settings {
        // Most responders serve one site, whose every request carries the same setting variables: when they are the
        // last request's, byte for byte, choosing, hashing and comparing the whole set is spared.
        let variables = request.prefixedVariables
        if let last, let variables, Self.same(variables, last.variables) { return last.settings }
        let env = try sources.settings(for: request.settingVariables)
        let parsed: Settings
        if let known = settings[env] {
            parsed = known
        } else {
            parsed = try Settings(environment: env)
            self.parsed += 1
            if settings.count >= Self.limit { settings.removeAll() }
            settings[env] = parsed
        }
        last = variables.map { ($0, parsed) }
        return parsed
    }

    /// One `memcmp`, where `==` on arrays compares byte by byte.
    private static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && a.withUnsafeBytes { a in b.withUnsafeBytes { b in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
    }

    private func store(_ settings: StoreSettings) -> any OTPStore {
        if let (_, store) = stores.first(where: { $0.0 == settings }) { return store }
        let store = Wire.store(settings, log: { [unowned self] in self.requestLog($0) })
        if stores.count >= Self.limit { stores.removeAll() }
        stores.append((settings, store))
        return store
    }
}
