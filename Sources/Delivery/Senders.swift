// Which sender serves a channel under the current settings, and whether the channel may be used at all.
import OTP
import Platform

public enum Senders {
    /// Throws `providerNotConfigured` before anything is stored, so a refused send leaves no trace. For email
    /// "configured" means DEFAULT_FROM_EMAIL is set: every other email setting has a working default.
    /// `pauses` and `now` serve only a channel with several providers, to try the one that failed a moment ago last.
    public static func sender(for channel: Channel, settings: DeliverySettings, pauses: @autoclosure () -> any ProviderPauses,
                              now: @escaping () -> Int64 = Clock.unixSeconds, log: @escaping (String) -> Void) throws(OTPError) -> any Sender {
        switch channel {
        case .email:
            if settings.requireProviderConfig && settings.defaultFromEmail == nil { throw .providerNotConfigured(.email, missing: ["DEFAULT_FROM_EMAIL"]) }
            switch settings.emailBackend {
            case .smtp: return SMTPSender(delivery: settings, from: settings.fromAddress)
            case .sendmail:
                return SendmailSender(path: settings.sendmailPath, timeoutSeconds: settings.emailTimeoutSeconds, from: settings.fromAddress)
            case .filebased: return FileEmailSender(directory: settings.emailFilePath!, from: settings.fromAddress)
            case .console: return ConsoleSender(from: settings.fromAddress, log: log)
            }
        case .sms, .whatsapp:
            let sender = try phoneSender(for: channel, settings: settings, pauses: pauses, now: now, log: log)
            guard channel == .sms, let domain = settings.webOTPDomain else { return sender }
            return WebOTPSender(domain: domain, next: sender)
        }
    }

    /// A half-configured provider is most likely a slip, so it is never ignored silently: with
    /// OTP_REQUIRE_PROVIDER_CONFIG it is a 500, without it the console serves and the log says what is missing.
    /// A site whose only phone settings are Twilio's (the usual one) is served without the table of providers.
    private static func phoneSender(for channel: Channel, settings: DeliverySettings, pauses: () -> any ProviderPauses,
                                    now: @escaping () -> Int64, log: @escaping (String) -> Void) throws(OTPError) -> any Sender {
        let warn = { (name: String, missing: [String]) in
            log("warning: \(channel.rawValue) provider \(name) partly configured, \(missing.joined(separator: " and ")) missing; "
                + "using the console backend")
        }
        if settings.hasOnlyTwilio {
            let account = channel == .sms ? settings.sms : settings.whatsapp
            if let twilio = TwilioSender(account: account, channel: channel, delivery: settings) { return twilio }
            if settings.requireProviderConfig { throw .providerNotConfigured(channel, missing: account.missing) }
            if account.missing.count < 3 { warn("twilio", account.missing) }
            return ConsoleSender(from: settings.fromAddress, log: log)
        }
        let providers = try PhoneProviders.chosen(for: channel, settings: settings)
        if providers.count == 1 { return providers[0] }
        if providers.count > 1 {
            return FailoverSender(channel: channel, providers: providers, pauses: pauses(), pauseSeconds: settings.providerPauseSeconds,
                                  now: now, log: log)
        }
        if settings.requireProviderConfig {
            throw .providerNotConfigured(channel, missing: (channel == .sms ? settings.sms : settings.whatsapp).missing)
        }
        for (name, setup) in PhoneProviders.setups(for: channel, settings: settings) {
            if case .partial(let missing) = setup { warn(name, missing) }
        }
        return ConsoleSender(from: settings.fromAddress, log: log)
    }
}
