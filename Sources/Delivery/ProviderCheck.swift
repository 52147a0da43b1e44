// What `generate --check` says about a channel's phone providers: which serve, in what order, and what a send would miss.
#if canImport(Glibc)
import Glibc
#endif
import OTP

/// One line of the check: `problem` lines come with their fix.
public struct ProviderCheck: Equatable, Sendable {
    public enum Kind: Sendable { case ok, note, problem }
    public let kind: Kind
    public let text: String
    public let fix: String

    static func ok(_ text: String) -> Self { Self(kind: .ok, text: text, fix: "") }
    static func note(_ text: String) -> Self { Self(kind: .note, text: text, fix: "") }
    static func problem(_ text: String, fix: String) -> Self { Self(kind: .problem, text: text, fix: fix) }
}

extension Senders {
    /// The settings have been read, so templates, URLs and lists are known good; what is left is what only a send
    /// would meet: a secret file the web server's user cannot read, a command that is not executable, a provider
    /// set up in part. `label` is "SMS" or "WhatsApp".
    public static func check(_ channel: Channel, settings: DeliverySettings, label: String) -> [ProviderCheck] {
        let setups = PhoneProviders.setups(for: channel, settings: settings)
        var out: [ProviderCheck] = []
        for (name, setup) in setups {
            if case .partial(let missing) = setup {
                let shown = ["twilio": "Twilio", "cloud": "the Cloud API"][name] ?? name
                out.append(.problem("\(label): \(shown) is set up in part: \(missing.joined(separator: ", ")) missing",
                                    fix: "set the missing settings, or none of them"))
            }
        }
        let chosen: [any PhoneProvider]
        do throws(OTPError) { chosen = try PhoneProviders.chosen(for: channel, settings: settings) } catch { return out }
        if chosen.count > 1 { out.append(.ok("\(label): providers \(chosen.map(\.name).joined(separator: ", ")), tried in this order")) }
        for provider in chosen { out += check(provider, label: label) }
        return out
    }

    static func check(_ provider: any PhoneProvider, label: String) -> [ProviderCheck] {
        func readable(_ path: String, _ setting: String) -> ProviderCheck? {
            do throws(OTPError) { _ = try SecretFile.read(path, setting: setting); return nil } catch {
                return .problem("\(label): \(error.detail)", fix: "make \(path) a file of the web server's user, mode 0600 (or 0640 with its group)")
            }
        }
        switch provider {
        case let twilio as TwilioSender:
            return [.ok("\(label): Twilio account \(twilio.accountSID) and sender \(twilio.sender)")]
                + (twilio.channel == .whatsapp ? whatsappTemplates(twilio.delivery.whatsappContent, label: label) : [])
        case let cloud as CloudAPISender:
            return cloudAPI(cloud, label: label)
        case let gateway as HTTPGateway:
            let spec = gateway.spec
            let files = spec.valueFiles.map { ($0.path, $0.setting) } + (spec.headersFile.map { [($0, spec.prefix + "HEADERS_FILE")] } ?? [])
                + (spec.passwordFile.map { [($0, spec.prefix + "PASSWORD_FILE")] } ?? [])
            let problems = files.compactMap { readable($0.0, $0.1) }
            return problems.isEmpty ? [.ok("\(label): \(spec.name) gateway, \(spec.method) \(Self.shown(spec.url)) (\(spec.body.encoding.rawValue))")] : problems
        case let command as CommandSender:
            return access(command.path, X_OK) == 0 ? [.ok("\(label): SMS_COMMAND \(command.path) is executable")]
                : [.problem("\(label): SMS_COMMAND \(command.path) is not an executable file", fix: "install it, or chmod 0755 it")]
        case let webhook as WebhookSender:
            if let path = webhook.settings.secretFile, let problem = readable(path, "SMS_WEBHOOK_SECRET_FILE") { return [problem] }
            do throws(DeliveryFault) { _ = try webhook.settings.key() } catch {
                return [.problem("\(label): \(error.description)", fix: "put whsec_ and the base64 of 32 random bytes in it")]
            }
            return [.ok("\(label): webhook \(Self.shown(webhook.settings.url))")]
        default:
            return [.ok("\(label): \(provider.name)")]
        }
    }

    /// A URL without its query, which may hold a password (Kannel's, Jasmin's).
    static func shown(_ url: String) -> String { String(url.prefix { $0 != "?" }) }
}
