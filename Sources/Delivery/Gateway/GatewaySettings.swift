// SMS_HTTP_* and each preset's SMS_<PRESET>_* read into a GatewaySpec, with every mistake named before a send.
import OTP
import Platform

/// How far the settings describe one gateway.
public enum GatewayState: Sendable {
    case configured(GatewaySpec)
    case partial(missing: [String])
    case absent(needs: [String])
}

public struct GatewayEntry: Sendable {
    public let name: String
    public let state: GatewayState
}

enum GatewaySettings {
    /// The generic gateway first, then the presets in GatewayPreset.all's order.
    /// `names`: the SMS_ and WA_ variables that are not Twilio's. A gateway none of whose settings is among them
    /// is not parsed.
    static func all(_ reader: SettingsReader, names: [String]) throws(OTPError) -> [GatewayEntry] {
        func state(_ name: String, _ prefix: String, _ preset: GatewayPreset?) throws(OTPError) -> GatewayState {
            guard names.contains(where: { $0.hasPrefix(prefix) }) else {
                return .absent(needs: (preset?.required ?? ["URL", "BODY"]).map { prefix + $0 })
            }
            return try parse(reader, name: name, prefix: prefix, preset: preset)
        }
        var out = [GatewayEntry(name: "http", state: try state("http", "SMS_HTTP_", nil))]
        for preset in GatewayPreset.all {
            out.append(GatewayEntry(name: preset.name, state: try state(preset.name, preset.settingPrefix, preset)))
        }
        return out
    }

    /// The suffixes every gateway reads after its prefix.
    static let suffixes = ["URL", "METHOD", "ENCODING", "BODY", "FROM", "HEADERS", "HEADERS_FILE", "USER", "PASSWORD", "PASSWORD_FILE",
                           "TIMEOUT", "SUCCESS"]

    static func parse(_ reader: SettingsReader, name: String, prefix: String, preset: GatewayPreset?) throws(OTPError) -> GatewayState {
        let credentials = (preset?.required ?? []) + (preset?.optional.map(\.0) ?? []).filter { !(preset?.required ?? []).contains($0) }
        let secrets = preset?.secrets ?? []
        let isSet = { (suffix: String) in
            reader.string(prefix + suffix) != nil || secrets.contains(suffix) && reader.string(prefix + suffix + "_FILE") != nil
        }
        let required = preset?.required ?? ["URL", "BODY"]
        guard Set(suffixes + credentials).contains(where: isSet) else { return .absent(needs: required.map { prefix + $0 }) }
        let missing = required.filter { !isSet($0) }
        guard missing.isEmpty else { return .partial(missing: missing.map { prefix + $0 }) }

        var values: [String: String] = [:], valueFiles: [GatewaySpec.ValueFile] = []
        for suffix in credentials {
            let placeholder = suffix.lowercased()
            if secrets.contains(suffix), let path = try reader.absolutePath(prefix + suffix + "_FILE") {
                valueFiles.append(GatewaySpec.ValueFile(name: placeholder, path: path, setting: prefix + suffix + "_FILE"))
            } else {
                values[placeholder] = reader.string(prefix + suffix) ?? preset?.optional.first { $0.0 == suffix }?.1 ?? ""
            }
        }
        values["from"] = reader.string(prefix + "FROM") ?? values["from"] ?? ""
        let credentialNames = credentials.map { $0.lowercased() }
        let names = GatewaySpec.messageNames + credentialNames.filter { $0 != "from" } + (preset?.coding.map { [$0.0] } ?? [])

        let url = try self.url(reader, prefix: prefix, preset: preset, values: values)
        if preset != nil, !valueFiles.isEmpty, preset!.path.utf8.contains(UInt8(ascii: "{")),
           valueFiles.contains(where: { preset!.path.contains("{\($0.name)}") }) {
            throw .misconfigured("\(prefix): a value in the URL's path cannot come from a file")
        }
        let method = reader.string(prefix + "METHOD")?.uppercased() ?? preset?.method ?? "POST"
        guard method == "POST" || method == "GET" else { throw .misconfigured("\(prefix)METHOD must be POST or GET") }
        let encoding: BodyEncoding
        if let text = reader.string(prefix + "ENCODING") {
            guard let parsed = BodyEncoding(rawValue: text.lowercased()) else { throw .misconfigured("\(prefix)ENCODING must be form, json or query") }
            encoding = parsed
        } else {
            encoding = preset?.encoding ?? (method == "GET" ? .query : .form)
        }
        if method == "GET" && encoding != .query { throw .misconfigured("\(prefix)METHOD GET sends no body: set \(prefix)ENCODING to query") }
        let body = try BodyTemplate(reader.string(prefix + "BODY") ?? preset?.body ?? "", encoding: encoding, names: names, setting: prefix + "BODY")
        guard body.names.contains("text") else { throw .misconfigured("\(prefix)BODY must contain {text}, or no code would be sent") }
        guard body.names.contains("to") || body.names.contains("to_digits") else { throw .misconfigured("\(prefix)BODY must contain {to} or {to_digits}") }

        // Headers and the basic auth user are checked as written here, and again once filled at a send.
        let headers = reader.string(prefix + "HEADERS").map(split) ?? (preset?.headers ?? [])
        for text in headers where header(fill(text, values.merging(valueFiles.map { ($0.name, "x") }) { a, _ in a })) == nil {
            throw .misconfigured("\(prefix)HEADERS: each header must be Name: value, separated by | or line breaks, without control characters")
        }
        var user = reader.string(prefix + "USER"), password = reader.string(prefix + "PASSWORD")
        var passwordFile = try reader.absolutePath(prefix + "PASSWORD_FILE")
        if let (presetUser, presetPassword) = preset?.basicAuth {
            user = fill(presetUser, values)
            if let file = valueFiles.first(where: { "{\($0.name)}" == presetPassword }) { passwordFile = file.path } else { password = fill(presetPassword, values) }
        }
        if user?.utf8.contains(UInt8(ascii: ":")) == true { throw .misconfigured("\(prefix)USER must not contain a colon (the password would begin there)") }
        if user == nil && (password != nil || passwordFile != nil) { throw .misconfigured("\(prefix)PASSWORD needs \(prefix)USER") }

        return .configured(GatewaySpec(
            name: name, prefix: prefix, url: url, method: method, body: body, values: values, headers: headers,
            headersFile: try reader.absolutePath(prefix + "HEADERS_FILE"), user: user, password: password, passwordFile: passwordFile,
            timeoutSeconds: try reader.integer(prefix + "TIMEOUT", default: 10, in: 1...120),
            success: try successField(reader, prefix: prefix, preset: preset),
            refusals: preset?.refusals.compactMap { status, field, detail in
                fieldMatch(field).map { GatewaySpec.Refusal(status: status, field: $0, detail: detail) }
            } ?? [],
            valueFiles: valueFiles, coding: preset?.coding.map { GatewaySpec.Coding(name: $0.0, gsm: $0.1, ucs2: $0.2) }))
    }

    /// SMS_<NAME>_URL; for a preset without one, its base URL (OTP_<PRESET>_BASE_URL or the provider's) and its
    /// path. https:// unless the host is this machine.
    static func url(_ reader: SettingsReader, prefix: String, preset: GatewayPreset?, values: [String: String]) throws(OTPError) -> String {
        let setting: String, url: String
        if let preset, reader.string(prefix + "URL") == nil {
            setting = "OTP_\(preset.name.uppercased())_BASE_URL"
            var base = reader.string(setting) ?? preset.baseURL
            while base.hasSuffix("/") { base.removeLast() }
            url = base + fill(preset.path, values.mapValues(FormEncoding.encoded))
        } else {
            setting = prefix + "URL"
            url = reader.string(setting) ?? ""
        }
        return try checkedURL(url, setting: setting)
    }

    /// https://, or http:// to this machine; nothing that could end a curl config value or the URL early.
    static func checkedURL(_ url: String, setting: String) throws(OTPError) -> String {
        guard !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7f || $0 == "\"" || $0 == "#" }) else {
            throw .misconfigured("\(setting) must be a URL without spaces, quotes, # or non-ASCII characters (percent-encode them)")
        }
        guard url.lowercased().hasPrefix("https://") && url.utf8.count > 8 || HTTPGateway.isLoopback(url) else {
            throw .misconfigured("\(setting) must be an https:// URL (http:// only to this machine: 127.0.0.1, [::1] or localhost)")
        }
        return url
    }

    static func successField(_ reader: SettingsReader, prefix: String, preset: GatewayPreset?) throws(OTPError) -> GatewaySpec.FieldMatch? {
        guard let text = reader.string(prefix + "SUCCESS") ?? preset?.success else { return nil }
        guard let match = fieldMatch(text) else {
            throw .misconfigured("\(prefix)SUCCESS must be field=value, the field a JSON key or a dotted path such as messages.0.status")
        }
        return match
    }

    /// `messages.0.status=0`: split at the first `=`, the path at dots.
    static func fieldMatch(_ text: String) -> GatewaySpec.FieldMatch? {
        let bytes = Array(text.utf8)
        guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        let path = bytes[..<equals].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard !path.isEmpty, path.allSatisfy({ !$0.isEmpty }) else { return nil }
        return GatewaySpec.FieldMatch(path: path.map { Substring(String(decoding: $0, as: UTF8.self)) },
                                      value: String(decoding: bytes[(equals + 1)...], as: UTF8.self))
    }

    /// `Name: value` with a token name and a value free of control characters, as curl's `header` takes it.
    static func header(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let name = String(decoding: bytes[..<colon], as: UTF8.self).trimmingASCIIWhitespace()
        let value = String(decoding: bytes[(colon + 1)...], as: UTF8.self).trimmingASCIIWhitespace()
        let token = Array("!#$%&'*+-.^_`|~".utf8)
        guard !name.isEmpty, name.utf8.allSatisfy({ ASCII.isAlphanumeric($0) || token.contains($0) }),
              !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else { return nil }
        return "\(name): \(value)"
    }

    /// Headers in one setting: separated by `|` or line breaks (a SetEnv line cannot hold a line break).
    static func split(_ text: String) -> [String] {
        Array(text.utf8).split(whereSeparator: { $0 == UInt8(ascii: "|") || $0 == 0x0a || $0 == 0x0d })
            .map { String(decoding: $0, as: UTF8.self) }.filter { !$0.trimmingASCIIWhitespace().isEmpty }
    }

    /// A preset's header or basic auth user with its values put in as they are; `header` checks the result.
    static func fill(_ text: String, _ values: [String: String]) -> String {
        var out = text
        for (name, value) in values { out = out.replacingEvery("{\(name)}", with: value) }
        return out
    }
}
