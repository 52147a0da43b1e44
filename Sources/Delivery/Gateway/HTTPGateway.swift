// An SMS handed to any HTTP API described by a GatewaySpec (SMS_HTTP_* or a preset's defaults), over curl.
import OTP
import Platform

/// Everything a send needs, settled when the settings are read.
public struct GatewaySpec: Sendable {
    /// "http" or the preset's name, in SMS_PROVIDERS and log lines.
    public let name: String
    /// The settings' prefix ("SMS_HTTP_", "SMS_VONAGE_"), so a message names what to fix.
    let prefix: String
    let url: String
    let method: String
    let body: BodyTemplate
    /// The preset's own placeholders (`{api_key}`) and `{from}`.
    let values: [String: String]
    let headers: [String]
    /// A file of further `Name: value` lines, read at each send, for a secret kept out of the settings.
    let headersFile: String?
    let user: String?
    let password: String?
    let passwordFile: String?
    let timeoutSeconds: Int
    let success: FieldMatch?
    /// Answers that mean the recipient cannot be reached this way, with the detail the asker sees.
    let refusals: [Refusal]
    /// Placeholders whose secret value is read from a file at each send: (placeholder, path, setting).
    let valueFiles: [ValueFile]
    /// A placeholder that says GSM-7 or UCS-2 in the provider's words.
    let coding: Coding?

    struct ValueFile: Sendable {
        let name: String
        let path: String
        let setting: String
    }

    struct Coding: Sendable {
        let name: String
        let gsm: String
        let ucs2: String
    }

    /// `messages.0.status=0`: a dotted JSON path and the text its value must be.
    public struct FieldMatch: Sendable, Equatable {
        let path: [Substring]
        let value: String
    }

    struct Refusal: Sendable {
        let status: ClosedRange<Int>
        let field: FieldMatch
        let detail: String
    }

    /// The placeholders every gateway's template may use.
    static let messageNames = ["to", "to_digits", "from", "text"]
}

struct HTTPGateway: PhoneProvider {
    let spec: GatewaySpec
    let delivery: DeliverySettings

    var name: String { spec.name }

    /// Secrets (the password, header values, a query's key) travel in curl's config on fd 3, the body on stdin.
    func send(_ message: OutgoingMessage) throws(DeliveryFault) {
        let number = message.recipient.value
        var values = spec.values
        for file in spec.valueFiles { values[file.name] = try SecretFile.text(file.path, setting: file.setting) }
        let credentials = values
        values["to"] = number
        values["to_digits"] = String(number.unicodeScalars.filter { ("0"..."9").contains($0) }.map(Character.init))
        values["text"] = message.text
        if let coding = spec.coding { values[coding.name] = SMSSegments(message.text).encoding == .gsm7 ? coding.gsm : coding.ucs2 }
        let filled = spec.body.render { values[$0] ?? "" }
        var url = spec.url, input: [UInt8] = []
        if spec.body.encoding == .query {
            url += (url.utf8.contains(UInt8(ascii: "?")) ? "&" : "?") + filled
        } else {
            input = Array(filled.utf8)
        }
        var options: [(String, String?)] = [("url", url), ("proto", Self.isLoopback(spec.url) ? "=http,https" : "=https")]
        if spec.method == "POST" { options += [("request", "POST"), ("data-binary", "@-")] }
        switch spec.body.encoding {
        case .json: options.append(("header", "Content-Type: application/json"))
        case .form: options.append(("header", "Content-Type: application/x-www-form-urlencoded"))
        case .query: break
        }
        options += try headers(credentials).map { ("header", $0) }
        if let user = spec.user {
            let password = try spec.passwordFile.map { (path) throws(DeliveryFault) in try SecretFile.text(path, setting: spec.prefix + "PASSWORD_FILE") }
                ?? spec.password ?? ""
            options.append(("user", "\(user):\(password)"))
        }
        let (status, body) = try Curl(delivery, timeoutSeconds: spec.timeoutSeconds).request(options, input: input, provider: name)
        try check(status: status, body: body)
    }

    /// 2xx, and the success field when the preset or SMS_HTTP_SUCCESS names one. The fault's words name the
    /// status and the field, never the body, which may repeat the number or a secret.
    func check(status: Int, body: [UInt8]) throws(DeliveryFault) {
        for refusal in spec.refusals where refusal.status.contains(status) {
            if JSONText.value(at: refusal.field.path, in: body) == refusal.field.value { throw DeliveryFault(refused: refusal.detail) }
        }
        guard (200...299).contains(status) else {
            let hint = switch status {
            case 401, 403: " (authentication failed: check the \(name) credentials)"
            case 429: " (too many requests)"
            case 500...599: " (the provider is failing)"
            default: ""
            }
            throw DeliveryFault("\(name) answered HTTP \(status)\(hint)")
        }
        if let success = spec.success {
            let found = JSONText.value(at: success.path, in: body)
            guard found == success.value else {
                let shown = found.map { String(String.UnicodeScalarView($0.unicodeScalars.prefix(40))) } ?? "absent"
                throw DeliveryFault("\(name) answered HTTP \(status) but \(success.path.joined(separator: ".")) is \(shown), not \(success.value)")
            }
        }
    }

    /// SMS_HTTP_HEADERS (a preset's filled with its credentials), then the lines of SMS_HTTP_HEADERS_FILE. A value
    /// from a file is checked again here, as the settings could not see it.
    func headers(_ values: [String: String]) throws(DeliveryFault) -> [String] {
        var out: [String] = []
        for text in spec.headers {
            guard let header = GatewaySettings.header(GatewaySettings.fill(text, values)) else {
                throw DeliveryFault("\(spec.prefix)HEADERS: a value from a file holds a control character")
            }
            out.append(header)
        }
        guard let path = spec.headersFile else { return out }
        let setting = spec.prefix + "HEADERS_FILE"
        for line in GatewaySettings.split(try SecretFile.text(path, setting: setting)) {
            guard let header = GatewaySettings.header(line) else { throw DeliveryFault("\(setting): each line must be Name: value") }
            out.append(header)
        }
        return out
    }

    /// http:// is allowed to 127.0.0.0/8, [::1] and localhost only: a gateway on this machine (Kannel, Jasmin, a
    /// test's fake); anything that crosses a network must be https://.
    static func isLoopback(_ url: String) -> Bool {
        guard url.lowercased().hasPrefix("http://") else { return false }
        let rest = url.dropFirst(7)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@"), let hostPort = HostPort(Substring(authority)) else { return false }
        let host = hostPort.host.lowercased()
        if host == "localhost" { return true }
        guard let address = IPAddress(String(host)) else { return false }
        return address.bytes.count == 4 ? address.bytes[0] == 127 : address.bytes == [UInt8](repeating: 0, count: 15) + [1]
    }
}
