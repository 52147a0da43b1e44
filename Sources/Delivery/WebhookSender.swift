// SMS handed to the site's own code: a JSON event POSTed to its URL, signed as Standard Webhooks sign.
import Digests
import OTP
import Platform

/// The Standard Webhooks scheme (standardwebhooks.com): `webhook-id`, `webhook-timestamp` and `webhook-signature`
/// (`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`, keyed by the secret's base64-decoded bytes after
/// `whsec_`), so any of its libraries verifies it. The receiver sends the message however it likes and answers 2xx.
struct WebhookSender: PhoneProvider {
    let settings: WebhookSettings
    let delivery: DeliverySettings
    let channel: Channel
    let now: () -> Int64

    var name: String { "webhook" }

    func send(_ message: OutgoingMessage) throws(DeliveryFault) {
        let key = try settings.key()
        let id = "msg_" + Hex.encode(Random.bytes(16))
        let timestamp = String(now())
        let body = Self.event(message, channel: channel)
        let signature = Self.signature(key: key, id: id, timestamp: timestamp, body: body)
        let options: [(String, String?)] = [
            ("url", settings.url), ("proto", HTTPGateway.isLoopback(settings.url) ? "=http,https" : "=https"),
            ("request", "POST"), ("data-binary", "@-"),
            ("header", "Content-Type: application/json"), ("header", "webhook-id: \(id)"),
            ("header", "webhook-timestamp: \(timestamp)"), ("header", "webhook-signature: \(signature)"),
        ]
        let (status, _) = try Curl(delivery, timeoutSeconds: settings.timeoutSeconds).request(options, input: Array(body.utf8), provider: "webhook")
        guard (200...299).contains(status) else { throw DeliveryFault("webhook answered HTTP \(status)") }
    }

    /// `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`.
    static func signature(key: [UInt8], id: String, timestamp: String, body: String) -> String {
        "v1," + Base64.encode(HMACKey(key).sha256(Array("\(id).\(timestamp).\(body)".utf8)))
    }

    /// `{"type": "otp.sms", "channel", "number", "message", "code", "locale", "expires_at"}`: what the site's code
    /// needs to send the message itself or compose its own.
    static func event(_ message: OutgoingMessage, channel: Channel) -> String {
        func quoted(_ text: String) -> String { "\"" + JSONEscaping.escape(text) + "\"" }
        return "{\"type\": \(quoted("otp.\(channel.rawValue)")), \"channel\": \(quoted(channel.rawValue)), "
            + "\"number\": \(quoted(message.recipient.value)), \"message\": \(quoted(message.text)), \"code\": \(quoted(message.code)), "
            + "\"locale\": \(message.locale.map { quoted($0.description) } ?? "null"), \"expires_at\": \(message.expiresAt)}"
    }
}

/// SMS_WEBHOOK_URL and its secret, SMS_WEBHOOK_SECRET or the file SMS_WEBHOOK_SECRET_FILE names.
public struct WebhookSettings: Sendable {
    let url: String
    let secret: String?
    let secretFile: String?
    let timeoutSeconds: Int

    /// Nil when none of its settings is set; `missing` names what a partial set lacks.
    static func parse(_ reader: SettingsReader) throws(OTPError) -> (WebhookSettings?, missing: [String]) {
        let url = reader.string("SMS_WEBHOOK_URL"), secret = reader.string("SMS_WEBHOOK_SECRET")
        let secretFile = try reader.absolutePath("SMS_WEBHOOK_SECRET_FILE")
        if url == nil && secret == nil && secretFile == nil { return (nil, []) }
        var missing: [String] = []
        if url == nil { missing.append("SMS_WEBHOOK_URL") }
        if secret == nil && secretFile == nil { missing.append("SMS_WEBHOOK_SECRET") }
        guard let url, missing.isEmpty else { return (nil, missing) }
        if secret != nil && secretFile != nil { throw .misconfigured("SMS_WEBHOOK_SECRET and SMS_WEBHOOK_SECRET_FILE are mutually exclusive; set one") }
        if let secret { _ = try key(secret, setting: "SMS_WEBHOOK_SECRET") }
        let checked = try GatewaySettings.checkedURL(url, setting: "SMS_WEBHOOK_URL")
        return (WebhookSettings(url: checked, secret: secret, secretFile: secretFile,
                                timeoutSeconds: try reader.integer("SMS_WEBHOOK_TIMEOUT", default: 10, in: 1...120)), [])
    }

    /// The HMAC key: the bytes the base64 after `whsec_` stands for.
    func key() throws(DeliveryFault) -> [UInt8] {
        do throws(OTPError) {
            if let secret { return try Self.key(secret, setting: "SMS_WEBHOOK_SECRET") }
            return try Self.key(SecretFile.read(secretFile!, setting: "SMS_WEBHOOK_SECRET_FILE"), setting: "SMS_WEBHOOK_SECRET_FILE")
        } catch {
            throw DeliveryFault(error.detail)
        }
    }

    /// Standard Webhooks secrets are 24 to 64 bytes; fewer than 16 would be a key anyone could guess at.
    static func key(_ secret: String, setting: String) throws(OTPError) -> [UInt8] {
        guard secret.hasPrefix("whsec_"), let key = Base64.decode(String(secret.dropFirst(6))), (16...128).contains(key.count) else {
            throw .misconfigured("\(setting) must be whsec_ and the base64 of 16 to 128 random bytes, as made by "
                + "(echo -n whsec_; head -c 32 /dev/urandom | base64)")
        }
        return key
    }
}
