// Every setting of one request, each layer's part parsed by that layer from the same injected environment.
import Delivery
import HTTP
import OTP
import Stores

/// The names `HTTP_*` variables never feed: request headers arrive under that prefix, and no layer reads one.
public struct Settings: Sendable {
    public var service: ServiceSettings
    public var store: StoreSettings
    public var delivery: DeliverySettings
    public var http: HTTPSettings

    public init(environment env: [String: String]) throws(OTPError) {
        let reader = SettingsReader(env: env)
        service = try ServiceSettings(reader)
        store = try StoreSettings(reader)
        delivery = try DeliverySettings(reader)
        http = try HTTPSettings(reader)
    }
}
