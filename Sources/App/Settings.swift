// Every setting of one request, each layer's part parsed by that layer from the same injected environment.
import Delivery
import Web
import OTP
import Stores
import Platform

/// The names `HTTP_*` variables never feed: request headers arrive under that prefix, and no layer reads one.
public struct Settings: Sendable {
    public var service: ServiceSettings
    public var store: StoreSettings
    public var delivery: DeliverySettings
    public var web: WebSettings

    /// Under FastCGI, `env` is a request's PARAMS after `SettingSources` put the responder's own settings over them.
    public init(environment env: [String: String]) throws(OTPError) {
        let reader = SettingsReader(env: env)
        service = try ServiceSettings(reader)
        store = try StoreSettings(reader)
        delivery = try DeliverySettings(reader)
        web = try WebSettings(reader)
        // Read by the gateway before any setting is parsed (Syslog.isChosen): here only refused when unknown.
        if let log = reader.string("OTP_LOG"), log != "stderr", log != "syslog" {
            throw .misconfigured("OTP_LOG must be stderr or syslog")
        }
        if let keyFile = service.secretKeyFile, case .file = store.location, Self.isInside(keyFile, store.directory) {
            throw .misconfigured("OTP_SECRET_KEY_FILE must be outside OTP_STORE_DIR, so that no copy of the store holds the key")
        }
    }

    /// Compared as real paths (`/a/store/`, `/a//store` and a symbolic link to either are all `/a/store`), as
    /// bytes: a path that goes on with a combining mark after the directory's `/` is still inside it. The key file
    /// exists (it was read); a store not made yet is its parent's real path and its name.
    static func isInside(_ file: String, _ directory: String) -> Bool {
        let names = directory.utf8.split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
        guard let realFile = Syscall.realPath(file), let name = names.last,
              let real = Syscall.realPath(directory)
                ?? Syscall.realPath("/" + names.dropLast().joined(separator: "/")).map({ ($0 == "/" ? "" : $0) + "/" + name }) else {
            return file.utf8.starts(with: (directory + "/").utf8)
        }
        return realFile.utf8.starts(with: (real + "/").utf8)
    }
}
