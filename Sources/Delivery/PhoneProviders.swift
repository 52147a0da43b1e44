// Which phone providers a channel has under the settings, and in what order they are tried.
import OTP
import Platform

/// How far the settings describe one provider.
enum ProviderSetup {
    case configured(any PhoneProvider)
    /// Some of its settings are there; these are still missing.
    case partial(missing: [String])
    /// None of its settings are there; these would make it.
    case absent(needs: [String])
}

enum PhoneProviders {
    /// The names SMS_PROVIDERS may list.
    static let smsNames = ["twilio", "http", "command", "webhook"] + GatewayPreset.all.map(\.name)
    /// The names WA_PROVIDERS may list.
    static let whatsappNames = ["twilio", "cloud"]

    static func listSetting(_ channel: Channel) -> String { channel == .sms ? "SMS_PROVIDERS" : "WA_PROVIDERS" }

    /// Every provider the channel knows, by name: Twilio, the command, the webhook, then the HTTP gateways.
    static func setups(for channel: Channel, settings: DeliverySettings) -> [(name: String, setup: ProviderSetup)] {
        let account = channel == .sms ? settings.sms : settings.whatsapp
        let twilio: ProviderSetup = if let sender = TwilioSender(account: account, channel: channel, delivery: settings) {
            .configured(sender)
        } else if account.missing.count < 3 {
            .partial(missing: account.missing)
        } else {
            .absent(needs: account.missing)
        }
        if channel == .whatsapp {
            let cloud: ProviderSetup = if let sender = CloudAPISender(settings) {
                .configured(sender)
            } else if !settings.cloud.isUnset {
                .partial(missing: settings.cloud.missing)
            } else {
                .absent(needs: settings.cloud.missing)
            }
            return [("twilio", twilio), ("cloud", cloud)]
        }
        let command: ProviderSetup = settings.smsCommand.map { .configured(CommandSender(path: $0, timeoutSeconds: settings.smsCommandTimeoutSeconds)) }
            ?? .absent(needs: ["SMS_COMMAND"])
        let webhook: ProviderSetup = if let hook = settings.webhook {
            .configured(WebhookSender(settings: hook, delivery: settings, channel: channel, now: Clock.unixSeconds))
        } else if !settings.webhookMissing.isEmpty {
            .partial(missing: settings.webhookMissing)
        } else {
            .absent(needs: ["SMS_WEBHOOK_URL", "SMS_WEBHOOK_SECRET"])
        }
        return [("twilio", twilio), ("command", command), ("webhook", webhook)] + settings.gateways.map { entry in
            switch entry.state {
            case .configured(let spec): (entry.name, .configured(HTTPGateway(spec: spec, delivery: settings)))
            case .partial(let missing): (entry.name, .partial(missing: missing))
            case .absent(let needs): (entry.name, .absent(needs: needs))
            }
        }
    }

    /// The providers to try, in order: those the list setting names, or else the one configured. Empty when none
    /// is configured. A list naming a provider whose settings are incomplete, or several configured and no list,
    /// is the operator's to fix, so it is refused rather than guessed.
    static func chosen(for channel: Channel, settings: DeliverySettings) throws(OTPError) -> [any PhoneProvider] {
        let setups = setups(for: channel, settings: settings)
        let names = channel == .sms ? settings.smsProviders : settings.whatsappProviders
        let setting = listSetting(channel)
        if names.isEmpty {
            let configured = setups.compactMap { entry -> (any PhoneProvider)? in
                if case .configured(let provider) = entry.setup { return provider } else { return nil }
            }
            guard configured.count <= 1 else {
                throw .misconfigured("\(setting) must list the order to try them: \(configured.map(\.name).joined(separator: ", "))")
            }
            return configured
        }
        var chosen: [any PhoneProvider] = []
        for name in names {
            switch setups.first(where: { $0.name == name })?.setup {
            case .configured(let provider): chosen.append(provider)
            case .partial(let missing), .absent(let missing):
                throw .misconfigured("\(setting) lists \(name), but \(missing.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") not set")
            case nil: throw .misconfigured("\(setting): no provider named \(name)")
            }
        }
        return chosen
    }

    /// The list setting's names: known to the channel, each once.
    static func parseList(_ reader: SettingsReader, channel: Channel) throws(OTPError) -> [String] {
        let setting = listSetting(channel), known = channel == .sms ? smsNames : whatsappNames
        let names = try reader.list(setting) { (name: String) throws(OTPError) -> String in
            guard known.contains(name) else {
                throw .misconfigured("\(setting): no provider named \(name) (known: \(known.joined(separator: ", ")))")
            }
            return name
        }
        guard Set(names).count == names.count else { throw .misconfigured("\(setting) names a provider twice") }
        return names
    }
}

extension DeliverySettings {
    /// No setting of any phone provider but Twilio's accounts: `readProviders` found none.
    var hasOnlyTwilio: Bool { gateways.isEmpty }

    /// The phone providers beyond Twilio's accounts (the Cloud API's settings among them). A site with none (the
    /// usual one, whose every request, a verify too, reads these settings) pays one look at the variable names
    /// and builds no table of providers. Which
    /// providers serve is settled here, so a list that cannot be followed fails every request and `generate
    /// --check` alike, not only the first send.
    mutating func readProviders(_ reader: SettingsReader) throws(OTPError) {
        providerPauseSeconds = try reader.integer("OTP_PROVIDER_PAUSE_SECONDS", default: providerPauseSeconds, in: 1...3600)
        let isOther = { (name: String) in
            name.hasPrefix("SMS_") && !name.hasPrefix("SMS_TWILIO_") || name.hasPrefix("WA_") && !name.hasPrefix("WA_TWILIO_")
        }
        guard reader.env.keys.contains(where: isOther) else { return }
        let names = reader.env.keys.filter(isOther)
        cloud = try CloudAccount(reader)
        // Never empty from here on (an entry for each gateway, configured or not): `hasOnlyTwilio` is false.
        gateways = try GatewaySettings.all(reader, names: names)
        smsCommand = try reader.absolutePath("SMS_COMMAND")
        smsCommandTimeoutSeconds = try reader.integer("SMS_COMMAND_TIMEOUT", default: smsCommandTimeoutSeconds, in: 1...120)
        (webhook, webhookMissing) = try WebhookSettings.parse(reader)
        smsProviders = try PhoneProviders.parseList(reader, channel: .sms)
        whatsappProviders = try PhoneProviders.parseList(reader, channel: .whatsapp)
        _ = try PhoneProviders.chosen(for: .sms, settings: self)
        _ = try PhoneProviders.chosen(for: .whatsapp, settings: self)
    }
}
