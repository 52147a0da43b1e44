// Settings keep the seed's names and defaults, and a bad value is an error that names the setting.
import Testing
@testable import OTPCore

@Suite struct SettingsTests {
    @Test func defaultsAreTheSeeds() throws {
        let settings = try Settings(environment: [:])
        #expect(settings.codeLength == 6)
        #expect(settings.ttlSeconds == 300)
        #expect(settings.maxAttempts == 5)
        #expect(settings.resendCooldownSeconds == 30)
        #expect(settings.emailSubject == "Your verification code")
        #expect(settings.emailTemplate == "Your OTP code is: {code}")
        #expect(settings.requireProviderConfig == false)
        #expect(settings.defaultFromEmail == nil)
        #expect(settings.emailBackend == .smtp)
        #expect(settings.storeDirectory.hasPrefix("/var/tmp/otp-cgi-"))
        #expect(settings.secretKey == nil)
    }

    @Test func readsEverySetting() throws {
        let settings = try Settings(environment: [
            "OTP_CODE_LENGTH": "8", "OTP_TTL_SECONDS": "60", "OTP_MAX_ATTEMPTS": "3", "OTP_RESEND_COOLDOWN_SECONDS": "0",
            "OTP_EMAIL_SUBJECT": "Ihr Code", "OTP_EMAIL_TEMPLATE": "Code {code}", "OTP_REQUIRE_PROVIDER_CONFIG": "TRUE",
            "DEFAULT_FROM_EMAIL": "otp@example.com", "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": "/tmp/outbox", "OTP_STORE_DIR": "/srv/otp", "OTP_SECRET_KEY": "0123456789abcdef",
        ])
        #expect(settings.codeLength == 8 && settings.ttlSeconds == 60 && settings.maxAttempts == 3)
        #expect(settings.resendCooldownSeconds == 0 && settings.requireProviderConfig)
        #expect(settings.emailSubject == "Ihr Code" && settings.emailTemplate == "Code {code}")
        #expect(settings.defaultFromEmail == "otp@example.com" && settings.emailBackend == .filebased)
        #expect(settings.emailFilePath == "/tmp/outbox" && settings.storeDirectory == "/srv/otp")
        #expect(settings.secretKey == Array("0123456789abcdef".utf8))
    }

    @Test func emptyValuesCountAsUnset() throws {
        #expect(try Settings(environment: ["OTP_TTL_SECONDS": "", "EMAIL_BACKEND": ""]).ttlSeconds == 300)
    }

    @Test(arguments: [
        ("OTP_CODE_LENGTH", "3"), ("OTP_CODE_LENGTH", "11"), ("OTP_CODE_LENGTH", "six"),
        ("OTP_TTL_SECONDS", "-5"), ("OTP_TTL_SECONDS", "abc"), ("OTP_TTL_SECONDS", "0"), ("OTP_TTL_SECONDS", " 300"),
        ("OTP_TTL_SECONDS", "99999999999999999999999"), ("OTP_MAX_ATTEMPTS", "0"), ("OTP_RESEND_COOLDOWN_SECONDS", "-1"),
        ("OTP_REQUIRE_PROVIDER_CONFIG", "maybe"), ("EMAIL_BACKEND", "smoke-signals"),
        ("OTP_EMAIL_TEMPLATE", "no placeholder"), ("OTP_EMAIL_SUBJECT", "Code\r\nBcc: eve@example.com"),
        ("DEFAULT_FROM_EMAIL", "a@example.com\nBcc: eve@example.com"), ("OTP_STORE_DIR", "relative/dir"),
        ("OTP_SECRET_KEY", "short"), ("OTP_LOCK_TIMEOUT_MS", "1"),
    ])
    func refusesBadValuesNamingTheSetting(name: String, value: String) {
        do {
            _ = try Settings(environment: [name: value])
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            #expect(error.status == 500)
            #expect(error.detail.hasPrefix("server misconfigured: \(name)"))
            #expect(!error.detail.contains(value) || value.count < 3)
        }
    }

    @Test func filebasedNeedsAPath() {
        #expect(throws: OTPError.misconfigured("EMAIL_FILE_PATH is required with the filebased email backend")) {
            try Settings(environment: ["EMAIL_BACKEND": "filebased"])
        }
    }
}
