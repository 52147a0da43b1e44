// For `--check`: whether the SMTP relay of the settings answers as a send would need it to, without sending.
import OTP

/// curl, as for a send, connects, reads the greeting, says EHLO and NOOP, and quits: with `EMAIL_USE_TLS` it
/// demands STARTTLS (`ssl-reqd`, so a relay that does not offer it fails here as a send would), with
/// `EMAIL_USE_SSL` it speaks TLS from the start. It does not log in: a wrong password shows only on a send.
public enum SMTPProbe {
    /// nil when the relay answered; else what went wrong, in curl's words.
    public static func problem(_ settings: DeliverySettings) -> String? {
        var options: [(String, String?)] = [("url", SMTPSender.relayURL(settings)), ("proto", "=smtp,smtps"), ("request", "NOOP")]
        if settings.emailSecurity == .startTLS { options.append(("ssl-reqd", nil)) }
        do throws(DeliveryFault) {
            try Curl(settings, timeoutSeconds: settings.emailTimeoutSeconds).run(options, input: [])
            return nil
        } catch {
            return error.description
        }
    }
}
