// Settings keep the seed's names and defaults, and a bad value is an error that names the setting.
import Foundation
import Testing
@testable import App
import Web
import OTP
import Platform

@Suite struct SettingsTests {
    @Test func defaultsAreTheSeeds() throws {
        let settings = try Settings(environment: [:])
        #expect(settings.service.codeLength == 6)
        #expect(settings.service.ttlSeconds == 300)
        #expect(settings.service.maxAttempts == 5)
        #expect(settings.service.resendCooldownSeconds == 30)
        #expect(settings.delivery.messages.emailSubject == nil && settings.delivery.messages.emailTemplate == nil, "the built-in texts serve")
        #expect(settings.delivery.messages.defaultLocale.description == "en" && settings.delivery.messages.maxSMSSegments == 1)
        #expect(settings.delivery.requireProviderConfig == false)
        #expect(settings.delivery.defaultFromEmail == nil)
        #expect(settings.delivery.emailBackend == .smtp)
        #expect(settings.store.directory.hasPrefix("/var/tmp/otp-cgi-"))
        #expect(settings.service.secretKey == nil)
    }

    @Test func readsEverySetting() throws {
        let settings = try Settings(environment: [
            "OTP_CODE_LENGTH": "8", "OTP_TTL_SECONDS": "60", "OTP_MAX_ATTEMPTS": "3", "OTP_RESEND_COOLDOWN_SECONDS": "0",
            "OTP_EMAIL_SUBJECT": "Ihr Code", "OTP_EMAIL_TEMPLATE": "Code {code}", "OTP_REQUIRE_PROVIDER_CONFIG": "TRUE",
            "DEFAULT_FROM_EMAIL": "otp@example.com", "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": "/tmp/outbox", "OTP_STORE_DIR": "/srv/otp", "OTP_SECRET_KEY": "0123456789abcdef",
        ])
        #expect(settings.service.codeLength == 8 && settings.service.ttlSeconds == 60 && settings.service.maxAttempts == 3)
        #expect(settings.service.resendCooldownSeconds == 0 && settings.delivery.requireProviderConfig)
        #expect(settings.delivery.messages.emailSubject == "Ihr Code" && settings.delivery.messages.emailTemplate == "Code {code}")
        #expect(settings.delivery.defaultFromEmail == "otp@example.com" && settings.delivery.emailBackend == .filebased)
        #expect(settings.delivery.emailFilePath == "/tmp/outbox" && settings.store.directory == "/srv/otp")
        #expect(settings.service.secretKey == Array("0123456789abcdef".utf8))
    }

    @Test func theAbuseLimitsHaveSafeDefaults() throws {
        let all = try Settings(environment: [:]), abuse = all.service.abuse, web = all.web
        #expect(abuse.maxSendsPerWindow == 5 && abuse.sendWindowSeconds == 3600)
        #expect(abuse.maxFailedVerifiesPerWindow == 20 && abuse.ipMaxSendsPerWindow == 30)
        #expect(web.trustedProxies.isEmpty && abuse.smsAllowedPrefixes.isEmpty && web.allowedOrigins.isEmpty)
    }

    @Test func readsTheAbuseSettings() throws {
        let all = try Settings(environment: [
            "OTP_MAX_SENDS_PER_WINDOW": "0", "OTP_SEND_WINDOW_SECONDS": "600", "OTP_MAX_FAILED_VERIFIES_PER_WINDOW": "7",
            "OTP_IP_MAX_SENDS_PER_WINDOW": "100", "OTP_TRUSTED_PROXIES": "10.0.0.0/8, 2001:db8::/32,192.0.2.1",
            "OTP_SMS_ALLOWED_PREFIXES": "+1,+44 +49", "OTP_ALLOWED_ORIGINS": "https://Shop.example:443,http://localhost:8080",
        ])
        let abuse = all.service.abuse, web = all.web
        #expect(abuse.maxSendsPerWindow == 0 && abuse.sendWindowSeconds == 600)
        #expect(abuse.maxFailedVerifiesPerWindow == 7 && abuse.ipMaxSendsPerWindow == 100)
        #expect(web.trustedProxies.map(\AddressRange.prefixLength) == [8, 32, 32])
        #expect(abuse.smsAllowedPrefixes == ["+1", "+44", "+49"])
        #expect(web.allowedOrigins == ["https://shop.example", "http://localhost:8080"])
        #expect(abuse.allowsPhone("+447700900123") && !abuse.allowsPhone("+33612345678"))
    }

    @Test func emptyValuesCountAsUnset() throws {
        #expect(try Settings(environment: ["OTP_TTL_SECONDS": "", "EMAIL_BACKEND": ""]).service.ttlSeconds == 300)
    }

    @Test(arguments: [
        ("OTP_CODE_LENGTH", "3"), ("OTP_CODE_LENGTH", "11"), ("OTP_CODE_LENGTH", "six"),
        ("OTP_TTL_SECONDS", "-5"), ("OTP_TTL_SECONDS", "abc"), ("OTP_TTL_SECONDS", "0"), ("OTP_TTL_SECONDS", " 300"),
        ("OTP_TTL_SECONDS", "99999999999999999999999"), ("OTP_MAX_ATTEMPTS", "0"), ("OTP_RESEND_COOLDOWN_SECONDS", "-1"),
        ("OTP_REQUIRE_PROVIDER_CONFIG", "maybe"), ("EMAIL_BACKEND", "smoke-signals"),
        ("OTP_EMAIL_TEMPLATE", "no placeholder"), ("OTP_EMAIL_SUBJECT", "Code\r\nBcc: eve@example.com"),
        ("DEFAULT_FROM_EMAIL", "a@example.com\nBcc: eve@example.com"), ("OTP_STORE_DIR", "relative/dir"),
        ("OTP_SECRET_KEY", "short"), ("OTP_LOCK_TIMEOUT_MS", "1"),
        ("OTP_MAX_SENDS_PER_WINDOW", "-1"), ("OTP_SEND_WINDOW_SECONDS", "1h"), ("OTP_MAX_FAILED_VERIFIES_PER_WINDOW", "x"),
        ("OTP_IP_MAX_SENDS_PER_WINDOW", "3.5"), ("OTP_TRUSTED_PROXIES", "10.0.0.0/33"), ("OTP_TRUSTED_PROXIES", "proxy.example"),
        ("OTP_TRUSTED_PROXIES", "10.0.0.1/"), ("OTP_SMS_ALLOWED_PREFIXES", "1,44"), ("OTP_SMS_ALLOWED_PREFIXES", "+1a"),
        ("OTP_ALLOWED_ORIGINS", "shop.example"), ("OTP_ALLOWED_ORIGINS", "https://shop.example/"),
        ("OTP_TOKEN_SECRET", String(repeating: "x", count: 31)), ("OTP_TOKEN_TTL_SECONDS", "0"), ("OTP_TOKEN_TTL_SECONDS", "5m"),
        ("OTP_TOKEN_ISSUER", "a\nb"), ("OTP_TOKEN_AUDIENCE", "a\u{7f}"), ("OTP_NEXT_ALLOWED", "site.example/welcome"),
        ("OTP_NEXT_ALLOWED", "https://site.example/ ftp://site.example/"), ("OTP_NEXT_ALLOWED", "//site.example/"),
    ])
    func refusesBadValuesNamingTheSetting(name: String, value: String) {
        do {
            _ = try Settings(environment: [name: value])
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            #expect(Response(error).status == 500)
            #expect(Response(error).detail.hasPrefix("server misconfigured: \(name)"))
            #expect(!Response(error).detail.contains(value) || value.count < 3)
        }
    }

    @Test func filebasedNeedsAPath() {
        #expect(throws: OTPError.misconfigured("EMAIL_FILE_PATH is required with the filebased email backend")) {
            try Settings(environment: ["EMAIL_BACKEND": "filebased"])
        }
    }

    /// Inside the store, whatever follows the directory's `/`: a name starting with a combining mark is still in it.
    @Test func aKeyFileInsideTheStoreIsRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otp-settings-\(UUID().uuidString)")
        let store = directory.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["secret.key", "\u{0301}secret.key"] {
            let key = store.appendingPathComponent(name)
            try Data("a-long-enough-secret-key-for-tests".utf8).write(to: key)
            #expect(chmod(key.path, 0o600) == 0)
            #expect(throws: OTPError.misconfigured("OTP_SECRET_KEY_FILE must be outside OTP_STORE_DIR, so that no copy of the store holds the key")) {
                try Settings(environment: ["OTP_STORE_DIR": store.path, "OTP_SECRET_KEY_FILE": key.path])
            }
        }
    }
}
