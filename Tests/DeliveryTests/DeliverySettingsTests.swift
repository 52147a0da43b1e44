// The delivery settings (Django's EMAIL_* names, curl, sendmail, Twilio) and the sender each combination picks.
import Testing
import TestSupport
@testable import Delivery
import OTP

@Suite struct DeliverySettingsTests {
    @Test func defaultsAreDjangosWhereDjangoHasThem() throws {
        let delivery = try deliverySettings([:])
        #expect(delivery.emailHost == "localhost" && delivery.emailPort == 25)
        #expect(delivery.emailUser == nil && delivery.emailPassword == nil && delivery.emailSecurity == .none)
        #expect(delivery.emailTimeoutSeconds == 10 && delivery.twilioTimeoutSeconds == 10)
        #expect(delivery.sendmailPath == "/usr/sbin/sendmail" && delivery.curlPath == "/usr/bin/curl" && delivery.caBundle == nil)
        #expect(delivery.twilioBaseURL == "https://api.twilio.com" && delivery.webOTPDomain == nil)
    }

    @Test func readsEveryDeliverySetting() throws {
        let settings = try deliverySettings([
            "EMAIL_BACKEND": "sendmail", "EMAIL_HOST": "smtp.example.com", "EMAIL_PORT": "587", "EMAIL_HOST_USER": "otp@example.com",
            "EMAIL_HOST_PASSWORD": "s3cret: \"x\"", "EMAIL_USE_TLS": "true", "EMAIL_TIMEOUT": "5",
            "EMAIL_SENDMAIL_PATH": "/usr/lib/sendmail", "OTP_CURL_PATH": "/opt/curl/bin/curl", "OTP_CA_BUNDLE": "/etc/ca.pem",
            "OTP_TWILIO_BASE_URL": "https://twilio.test:8443/", "OTP_TWILIO_TIMEOUT": "3", "OTP_WEBOTP_DOMAIN": "shop.example",
            "SMS_TWILIO_ACCOUNT_SID": "AC1", "SMS_TWILIO_AUTH_TOKEN": "t1", "SMS_TWILIO_SENDER": "+15005550006",
            "WA_TWILIO_ACCOUNT_SID": "AC2",
        ])
        let delivery = settings
        #expect(settings.emailBackend == .sendmail)
        #expect(delivery.emailHost == "smtp.example.com" && delivery.emailPort == 587 && delivery.emailUser == "otp@example.com")
        #expect(delivery.emailPassword == "s3cret: \"x\"" && delivery.emailSecurity == .startTLS && delivery.emailTimeoutSeconds == 5)
        #expect(delivery.sendmailPath == "/usr/lib/sendmail" && delivery.curlPath == "/opt/curl/bin/curl" && delivery.caBundle == "/etc/ca.pem")
        #expect(delivery.twilioBaseURL == "https://twilio.test:8443" && delivery.twilioTimeoutSeconds == 3)
        #expect(delivery.webOTPDomain == "shop.example")
        #expect(settings.sms.missing.isEmpty && settings.whatsapp.missing == ["WA_TWILIO_AUTH_TOKEN", "WA_TWILIO_SENDER"])
        #expect(try deliverySettings(["EMAIL_USE_SSL": "1"]).emailSecurity == .implicitTLS)
        #expect(try deliverySettings(["OTP_TWILIO_BASE_URL": "HTTPS://Proxy.example/twilio/"]).twilioBaseURL == "https://proxy.example/twilio")
        #expect(try deliverySettings(["EMAIL_HOST": "2001:db8::25"]).emailHost == "2001:db8::25")
    }

    @Test func tlsAndSSLAreMutuallyExclusiveAsInDjango() {
        #expect(throws: OTPError.misconfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive; set one of them")) {
            try deliverySettings(["EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"])
        }
    }

    @Test(arguments: [
        ("EMAIL_HOST", "smtp.example.com/evil"), ("EMAIL_HOST", "user@host"), ("EMAIL_PORT", "0"), ("EMAIL_PORT", "65536"),
        ("EMAIL_HOST_USER", "name:pass"), ("EMAIL_HOST_USER", "name:\u{0301}pass"), ("EMAIL_USE_TLS", "sometimes"), ("EMAIL_TIMEOUT", "0"), ("EMAIL_TIMEOUT", "1.5"),
        ("EMAIL_SENDMAIL_PATH", "sendmail"), ("OTP_CURL_PATH", "curl"), ("OTP_CA_BUNDLE", "ca.pem"),
        ("OTP_TWILIO_BASE_URL", "http://api.twilio.com"), ("OTP_TWILIO_BASE_URL", "https://a b"), ("OTP_TWILIO_TIMEOUT", "500"),
        ("OTP_WEBOTP_DOMAIN", "https://example.com"), ("OTP_WEBOTP_DOMAIN", "example.com:443"),
        ("SMS_TWILIO_ACCOUNT_SID", "AC1/../x"), ("WA_TWILIO_ACCOUNT_SID", "AC:1"),
    ])
    func refusesBadValuesNamingTheSetting(name: String, value: String) {
        #expect(!misconfiguration([name: value], naming: name).contains(value) || value.count < 3)
    }

    @Test func anIPv6HostIsBracketedInTheURL() throws {
        let smtp = SMTPSender(delivery: try deliverySettings(["EMAIL_HOST": "::1", "EMAIL_PORT": "2525"]), from: "a@b.example")
        #expect(smtp.options(to: "joe@example.com").first! == ("url", "smtp://[::1]:2525"))
    }

    @Test(arguments: [
        ([:], "smtp://localhost:25", false), (["EMAIL_USE_TLS": "true"], "smtp://localhost:25", true),
        (["EMAIL_USE_SSL": "true", "EMAIL_PORT": "465"], "smtps://localhost:465", false),
    ])
    func smtpSecurityPicksSchemeAndSTARTTLS(env: [String: String], url: String, starttls: Bool) throws {
        let options = SMTPSender(delivery: try deliverySettings(env), from: "a@b.example").options(to: "joe@example.com")
        #expect(options.first { $0.0 == "url" }?.1 == url)
        #expect(options.contains { $0.0 == "ssl-reqd" } == starttls)
    }

    @Test func smtpSendsTheBareEnvelopeAddressesAndLogsInOnlyWithBothCredentials() throws {
        let user = try deliverySettings(["EMAIL_HOST_USER": "u"])
        let both = try deliverySettings(["EMAIL_HOST_USER": "u", "EMAIL_HOST_PASSWORD": "p:w"])
        let options = SMTPSender(delivery: both, from: "Shop <otp@shop.example>").options(to: "joe@example.com")
        #expect(options.first { $0.0 == "mail-from" }?.1 == "otp@shop.example")
        #expect(options.first { $0.0 == "mail-rcpt" }?.1 == "joe@example.com")
        #expect(options.first { $0.0 == "user" }?.1 == "u:p:w")
        #expect(!SMTPSender(delivery: user, from: "a@b.example").options(to: "joe@example.com").contains { $0.0 == "user" })
    }

    @Test(arguments: [("smtp", "SMTPSender"), ("sendmail", "SendmailSender"), ("console", "ConsoleSender")])
    func theBackendPicksTheEmailSender(backend: String, type: String) throws {
        let settings = try deliverySettings(["EMAIL_BACKEND": backend])
        #expect("\(Swift.type(of: try Senders.sender(for: .email, settings: settings, pauses: MemoryProviderPauses(), log: { _ in })))" == type)
    }

    @Test(arguments: [Channel.sms, .whatsapp])
    func aCompleteAccountUsesTwilio(channel: Channel) throws {
        let prefix = channel == .sms ? "SMS" : "WA"
        let settings = try deliverySettings(["\(prefix)_TWILIO_ACCOUNT_SID": "AC1", "\(prefix)_TWILIO_AUTH_TOKEN": "t",
                                                  "\(prefix)_TWILIO_SENDER": "+15005550006"])
        #expect(try Senders.sender(for: channel, settings: settings, pauses: MemoryProviderPauses(), log: { _ in }) is TwilioSender)
    }

    @Test func aPartialAccountFallsBackToTheConsoleWithAWarning() throws {
        var lines: [String] = []
        let settings = try deliverySettings(["SMS_TWILIO_ACCOUNT_SID": "AC1"])
        #expect(try Senders.sender(for: .sms, settings: settings, pauses: MemoryProviderPauses(), log: { lines.append($0) }) is ConsoleSender)
        #expect(lines == ["warning: sms provider twilio partly configured, SMS_TWILIO_AUTH_TOKEN and SMS_TWILIO_SENDER missing; using the console backend"])
        #expect(try Senders.sender(for: .whatsapp, settings: settings, pauses: MemoryProviderPauses(), log: { lines.append($0) }) is ConsoleSender)
        #expect(lines.count == 1)
    }

    @Test(arguments: [Channel.sms, .whatsapp])
    func aPartialAccountIsNotConfiguredWhenConfigurationIsRequired(channel: Channel) throws {
        let settings = try deliverySettings(["OTP_REQUIRE_PROVIDER_CONFIG": "true", "SMS_TWILIO_ACCOUNT_SID": "AC1",
                                                  "SMS_TWILIO_SENDER": "+1", "WA_TWILIO_AUTH_TOKEN": "t"])
        let prefix = channel == .sms ? "SMS_TWILIO_" : "WA_TWILIO_"
        let missing = channel == .sms ? ["AUTH_TOKEN"] : ["ACCOUNT_SID", "SENDER"]
        #expect(throws: OTPError.providerNotConfigured(channel, missing: missing.map { prefix + $0 })) {
            try Senders.sender(for: channel, settings: settings, pauses: MemoryProviderPauses(), log: { _ in })
        }
    }
}

/// The delivery layer's settings read from `env`, as a request's would be.
func deliverySettings(_ env: [String: String]) throws(OTPError) -> DeliverySettings { try DeliverySettings(SettingsReader(env: env)) }

/// The detail of the misconfiguration `env` makes, which must start with the setting's name.
@discardableResult
func misconfiguration(_ env: [String: String], naming name: String) -> String {
    do {
        _ = try deliverySettings(env)
        Issue.record("\(env) was accepted")
    } catch {
        guard case .misconfigured(let detail) = error else { Issue.record("\(error)"); return "" }
        #expect(detail.hasPrefix(name))
        return detail
    }
    return ""
}
