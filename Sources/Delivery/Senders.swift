// Which sender serves a channel under the current settings, and whether the channel may be used at all.
import OTP

public enum Senders {
    /// Throws `providerNotConfigured` before anything is stored, so a refused send leaves no trace. For email
    /// "configured" means DEFAULT_FROM_EMAIL is set: every other email setting has a working default.
    public static func sender(for channel: Channel, settings: DeliverySettings, log: @escaping (String) -> Void) throws(OTPError) -> any Sender {
        switch channel {
        case .email:
            if settings.requireProviderConfig && settings.defaultFromEmail == nil { throw .providerNotConfigured(.email) }
            switch settings.emailBackend {
            case .smtp: return SMTPSender(delivery: settings, from: settings.fromAddress)
            case .sendmail:
                return SendmailSender(path: settings.sendmailPath, timeoutSeconds: settings.emailTimeoutSeconds, from: settings.fromAddress)
            case .filebased: return FileEmailSender(directory: settings.emailFilePath!, from: settings.fromAddress)
            case .console: return ConsoleSender(from: settings.fromAddress, log: log)
            }
        case .sms, .whatsapp:
            let sender = try phoneSender(for: channel, settings: settings, log: log)
            guard channel == .sms, let domain = settings.webOTPDomain else { return sender }
            return WebOTPSender(domain: domain, next: sender)
        }
    }

    /// A half-configured account is most likely a slip, so it is never ignored silently: with
    /// OTP_REQUIRE_PROVIDER_CONFIG it is a 500, without it the console serves and the log says what is missing.
    private static func phoneSender(for channel: Channel, settings: DeliverySettings, log: @escaping (String) -> Void) throws(OTPError) -> any Sender {
        let account = channel == .sms ? settings.sms : settings.whatsapp
        if let twilio = TwilioSender(account: account, channel: channel, delivery: settings) { return twilio }
        if settings.requireProviderConfig { throw .providerNotConfigured(channel) }
        if account.missing.count < 3 {
            log("warning: \(channel.rawValue) provider partly configured, \(account.missing.joined(separator: " and ")) missing; "
                + "using the console backend")
        }
        return ConsoleSender(from: settings.fromAddress, log: log)
    }
}
