// Which sender serves a channel under the current settings, and whether the channel may be used at all.

public enum Senders {
    /// Throws `providerNotConfigured` before anything is stored, so a refused send leaves no trace.
    public static func sender(for channel: Channel, settings: Settings, log: @escaping (String) -> Void) throws(OTPError) -> any Sender {
        switch channel {
        case .email:
            if settings.requireProviderConfig && settings.defaultFromEmail == nil { throw .providerNotConfigured(.email) }
            switch settings.emailBackend {
            case .filebased: return FileEmailSender(directory: settings.emailFilePath!, from: settings.fromAddress)
            case .console: return ConsoleSender(from: settings.fromAddress, log: log)
            case .smtp: throw .misconfigured("EMAIL_BACKEND smtp is not available yet; use filebased or console")
            }
        case .sms, .whatsapp:
            if settings.requireProviderConfig { throw .providerNotConfigured(channel) }
            return ConsoleSender(from: settings.fromAddress, log: log)
        }
    }
}

extension Settings {
    /// Django's default for DEFAULT_FROM_EMAIL.
    var fromAddress: String { defaultFromEmail ?? "webmaster@localhost" }
}
