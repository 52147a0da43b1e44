// Every row of the contract, through the built executables run as CGI processes.
import Foundation
import Testing
import TestSupport

@Suite struct CGIContractTests {
    let email = "joe@example.com"

    @Test func generateSendsACodeThatVerifiesOnce() throws {
        let site = try Site()
        let before = Int(Date().timeIntervalSince1970)
        let sent = try site.run("generate", json: ["channel": "email", "identifier": " Joe@Example.com "])
        #expect(sent.status == 200 && sent.detail == "OTP sent")
        let expiresAt = try #require(sent.json["expires_at"] as? Int)
        #expect((before + 300...Int(Date().timeIntervalSince1970) + 300).contains(expiresAt))
        let code = try #require(try site.codes(for: email).first)
        #expect(code.count == 6)
        let verified = try site.run("verify", json: ["channel": "email", "identifier": email, "code": code])
        #expect(verified.status == 200 && verified.detail == "Verified")
        #expect(verified.json.count == 1)
        let again = try site.run("verify", json: ["channel": "email", "identifier": email, "code": code])
        #expect(again.status == 400 && again.detail == "Invalid or expired code")
    }

    @Test func everyAnswerIsUncachedJSON() throws {
        let site = try Site()
        for answer in [try site.run("generate", json: ["channel": "email", "identifier": email]),
                       try site.run("verify", json: ["channel": "email", "identifier": email, "code": "000000"]),
                       try site.run("verify", method: "GET", contentType: nil), try site.run("generate", "x", contentType: "text/plain")] {
            #expect(answer.headers["content-type"] == "application/json")
            #expect(answer.headers["cache-control"] == "no-store")
            #expect(answer.detail != nil)
        }
    }

    @Test(arguments: [
        (#"{"channel": "fax", "identifier": "joe@example.com"}"#, "channel must be email, sms or whatsapp"),
        (#"{"channel": "email", "identifier": "joe"}"#, "Invalid email address"),
        (#"{"channel": "sms", "identifier": "14155552671"}"#, "Invalid phone number; use E.164, e.g. +14155552671"),
        (#"{"channel": "whatsapp", "identifier": "+0123456789"}"#, "Invalid phone number; use E.164, e.g. +14155552671"),
        (#"{"identifier": "joe@example.com"}"#, "channel is required"),
        (#"{"channel": "email"}"#, "identifier is required"),
        (#"{"channel": "email", "identifier": 7}"#, "identifier must be a string"),
        (#"{"channel": "email", "identifier": "joe@example.com""#, "Malformed JSON body"),
        ("", "Request body must be a JSON object"),
    ])
    func generateRefusesBadInput(body: String, detail: String) throws {
        let site = try Site()
        let answer = try site.run("generate", body)
        #expect(answer.status == 400 && answer.detail == detail)
        #expect(try site.codes(for: email).isEmpty)
    }

    @Test func formBodiesWorkLikeJSON() throws {
        let site = try Site()
        let sent = try site.run("generate", "channel=email&identifier=joe%40example.com", contentType: "application/x-www-form-urlencoded")
        #expect(sent.status == 200)
        let code = try #require(try site.codes(for: email).first)
        let verified = try site.run("verify", "channel=email&identifier=joe%40example.com&code=\(code)",
                                    contentType: "application/x-www-form-urlencoded")
        #expect(verified.status == 200)
    }

    @Test func aResendWithinTheCooldownIs429WithRetryAfter() throws {
        let site = try Site()
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email]).status == 200)
        let refused = try site.run("generate", json: ["channel": "email", "identifier": email])
        #expect(refused.status == 429)
        let retryAfter = try #require(refused.headers["retry-after"].flatMap(Int.init))
        #expect((1...30).contains(retryAfter))
        #expect(try site.codes(for: email).count == 1)
    }

    @Test func aResendAfterTheCooldownReplacesTheCode() throws {
        let site = try Site(["OTP_RESEND_COOLDOWN_SECONDS": "0"])
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email]).status == 200)
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email]).status == 200)
        let codes = try site.codes(for: email)
        #expect(codes.count == 2)
        if codes[0] != codes[1] {
            #expect(try site.run("verify", json: ["channel": "email", "identifier": email, "code": codes[0]]).status == 400)
        }
        #expect(try site.run("verify", json: ["channel": "email", "identifier": email, "code": codes[1]]).status == 200)
    }

    @Test func afterMaxAttemptsEvenTheRightCodeIsRefused() throws {
        let site = try Site(["OTP_MAX_ATTEMPTS": "3"])
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email]).status == 200)
        let code = try #require(try site.codes(for: email).first)
        let wrong = code == "000000" ? "000001" : "000000"
        for _ in 0..<3 {
            let answer = try site.run("verify", json: ["channel": "email", "identifier": email, "code": wrong])
            #expect(answer.status == 400 && answer.detail == "Invalid or expired code")
        }
        let blocked = try site.run("verify", json: ["channel": "email", "identifier": email, "code": code])
        #expect(blocked.status == 429 && blocked.detail == "Too many attempts; request a new code")
    }

    @Test func aCodeIsBoundToItsChannelAndIdentifier() throws {
        let site = try Site(["EMAIL_BACKEND": "console"])
        let sent = try site.run("generate", json: ["channel": "sms", "identifier": "+14155552671"])
        #expect(sent.status == 200)
        let code = try #require(sent.stderr.components(separatedBy: "code is: ").dropFirst().first.map { String($0.prefix(6)) })
        #expect(try site.run("verify", json: ["channel": "whatsapp", "identifier": "+14155552671", "code": code]).status == 400)
        #expect(try site.run("verify", json: ["channel": "sms", "identifier": "+14155552672", "code": code]).status == 400)
        #expect(try site.run("verify", json: ["channel": "sms", "identifier": "+1 415 555 2671", "code": code]).status == 200)
    }

    @Test func unknownIdentifiersAndWrongCodesGetTheSameAnswer() throws {
        let site = try Site()
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email]).status == 200)
        let code = try #require(try site.codes(for: email).first)
        let wrong = try site.run("verify", json: ["channel": "email", "identifier": email, "code": code == "123456" ? "654321" : "123456"])
        let unknown = try site.run("verify", json: ["channel": "email", "identifier": "nobody@example.com", "code": "123456"])
        #expect(wrong.status == unknown.status && wrong.detail == unknown.detail && wrong.headers == unknown.headers)
    }

    @Test(arguments: ["12345", "1234567", "abcdef", "１２３４５６", ""])
    func aMalformedCodeIsAnInvalidCode(code: String) throws {
        let answer = try Site().run("verify", json: ["channel": "email", "identifier": email, "code": code])
        #expect(answer.status == 400 && answer.detail == "Invalid or expired code")
    }

    @Test(arguments: ["GET", "PUT", "DELETE", "HEAD", "OPTIONS"])
    func otherMethodsAre405WithAllow(method: String) throws {
        let answer = try Site().run("generate", method: method, contentType: nil)
        #expect(answer.status == 405 && answer.headers["allow"] == "POST")
    }

    @Test func anOversizedBodyIs413() throws {
        let site = try Site()
        let body = #"{"channel": "email", "identifier": ""# + String(repeating: "a", count: 20_000) + #"@example.com"}"#
        #expect(try site.run("generate", body).status == 413)
    }

    @Test func aLyingContentLengthIs400() throws {
        let site = try Site()
        let body = Array(#"{"channel": "email", "identifier": "joe@example.com"}"#.utf8)
        let answer = try site.runAll("generate", [body], declaredLength: body.count + 10)[0]
        #expect(answer.status == 400 && answer.detail == "Request body is shorter than its Content-Length")
    }

    @Test(arguments: ["text/plain", "multipart/form-data; boundary=x", "application/xml"])
    func otherBodyTypesAre415(type: String) throws {
        #expect(try Site().run("generate", #"{"channel": "email"}"#, contentType: type).status == 415)
    }

    @Test(arguments: [("OTP_TTL_SECONDS", "abc"), ("OTP_CODE_LENGTH", "12"), ("OTP_MAX_ATTEMPTS", "-1"), ("EMAIL_BACKEND", "pigeon")])
    func aBadSettingIs500NamingItAndLogged(name: String, value: String) throws {
        let site = try Site([name: value])
        for program in ["generate", "verify"] {
            let answer = try site.run(program, json: ["channel": "email", "identifier": email, "code": "123456"])
            #expect(answer.status == 500)
            #expect(answer.detail?.hasPrefix("server misconfigured: \(name)") == true)
            #expect(answer.stderr.contains("server misconfigured: \(name)"))
        }
    }

    @Test(arguments: [("sms", "+14155552671"), ("whatsapp", "+14155552671")])
    func requiredButMissingProviderIs500AndStoresNothing(channel: String, identifier: String) throws {
        let site = try Site(["OTP_REQUIRE_PROVIDER_CONFIG": "true"])
        let answer = try site.run("generate", json: ["channel": channel, "identifier": identifier])
        #expect(answer.status == 500 && answer.detail == "\(channel) provider not configured: set \(Self.twilioSettings(channel)) (OTP_REQUIRE_PROVIDER_CONFIG is true)")
        #expect(site.holdsNothing())
    }

    @Test func requiredEmailProviderNeedsAFromAddress() throws {
        let site = try Site(["OTP_REQUIRE_PROVIDER_CONFIG": "true"])
        site.settings["DEFAULT_FROM_EMAIL"] = nil
        let answer = try site.run("generate", json: ["channel": "email", "identifier": email])
        #expect(answer.status == 500 && answer.detail == "email provider not configured: set DEFAULT_FROM_EMAIL (OTP_REQUIRE_PROVIDER_CONFIG is true)")
        #expect(try site.codes(for: email).isEmpty)
    }

    @Test func unconfiguredSMSGoesToTheConsoleWhenNotRequired() throws {
        let answer = try Site().run("generate", json: ["channel": "sms", "identifier": "+14155552671"])
        #expect(answer.status == 200)
        #expect(answer.stderr.contains("console sms backend: to +14155552671: Your OTP code is: "))
    }

    @Test func aFailedDeliveryIs500AndLeavesNoCodeAndNoCooldown() throws {
        let site = try Site()
        try Data("not a directory".utf8).write(to: site.directory.appendingPathComponent("blocker"))
        site.settings["EMAIL_FILE_PATH"] = site.directory.appendingPathComponent("blocker/outbox").path
        let failed = try site.run("generate", json: ["channel": "email", "identifier": email])
        #expect(failed.status == 500 && failed.detail == "Could not send the code by email")
        #expect(failed.stderr.contains("delivery by email"))
        site.settings["EMAIL_FILE_PATH"] = site.outbox.path
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email]).status == 200)
        #expect(try site.codes(for: email).count == 1)
    }

    @Test func theStoreHoldsNeitherIdentifierNorCode() throws {
        let site = try Site()
        let identifiers = [("email", "plaintext.check@example.com"), ("sms", "+14155550123"), ("whatsapp", "+447700900123")]
        for (channel, identifier) in identifiers {
            let answer = try site.run("generate", json: ["channel": channel, "identifier": identifier])
            #expect(answer.status == 200)
        }
        let code = try #require(try site.codes(for: "plaintext.check@example.com").first)
        let contents = try site.storeContents()
        #expect(contents.count > 3)
        for (name, data) in contents {
            let text = String(decoding: data, as: UTF8.self)
            for needle in ["plaintext", "example.com", "4155550123", "7700900123", code, "127.0.0.1"] {
                #expect(!name.contains(needle) && !text.contains(needle), "\(name) holds \(needle)")
            }
        }
    }

    @Test func theLogMasksTheIdentifierAndNeverHoldsTheCode() throws {
        let site = try Site()
        // An existing store, as in production: the first request into a new one also logs its creation.
        try FileManager.default.createDirectory(at: site.store, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let sent = try site.run("generate", json: ["channel": "email", "identifier": email])
        let code = try #require(try site.codes(for: email).first)
        let verified = try site.run("verify", json: ["channel": "email", "identifier": email, "code": code])
        for answer in [sent, verified] {
            #expect(answer.stderr.contains("j***@example.com"))
            #expect(!answer.stderr.contains(email) && !answer.stderr.contains(code))
            #expect(answer.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func aCorruptRecordIsLoggedAndTreatedAsAbsent() throws {
        let site = try Site.withKnownKey()
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email]).status == 200)
        let (path, slot) = try #require(try site.recordSlot(email))
        var table = try #require(FileManager.default.contents(atPath: path))
        table[slot + 60] ^= 0xff
        try table.write(to: URL(fileURLWithPath: path))
        let code = try #require(try site.codes(for: email).first)
        let answer = try site.run("verify", json: ["channel": "email", "identifier": email, "code": code])
        #expect(answer.status == 400 && answer.stderr.contains("corrupt"))
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email]).status == 200)
    }

    @Test func theKeySettingSealsTheCodes() throws {
        let site = try Site(["OTP_SECRET_KEY": "a-long-enough-secret-key-for-tests"])
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email]).status == 200)
        let code = try #require(try site.codes(for: email).first)
        site.settings["OTP_SECRET_KEY"] = "another-long-enough-secret-key!!"
        #expect(try site.run("verify", json: ["channel": "email", "identifier": email, "code": code]).status == 400)
    }

    /// Without a key nothing is stored and nothing sent; the answer names the settings and the log
    /// says how to make a key. No key appears in the store.
    @Test(arguments: ["generate", "verify"])
    func withoutAKeyBothEndpointsAnswer500NamingTheSettings(program: String) throws {
        let site = try Site()
        site.settings["OTP_SECRET_KEY"] = nil
        let answer = try site.run(program, json: ["channel": "email", "identifier": email, "code": "123456"])
        #expect(answer.status == 500 && answer.detail == "server misconfigured: set OTP_SECRET_KEY or OTP_SECRET_KEY_FILE")
        #expect(answer.stderr.contains("otp-cgi: no key: set OTP_SECRET_KEY, or OTP_SECRET_KEY_FILE to a file outside the store; make a key with"))
        #expect(!FileManager.default.fileExists(atPath: site.store.appendingPathComponent("secret.key").path))
        #expect(try site.codes(for: email).isEmpty)
    }

    /// The key file: its bytes (one final line break dropped) are the key, as OTP_SECRET_KEY's would be; one
    /// that other users can read, or that sits in the store, is a 500 naming the setting.
    @Test func aKeyFileOutsideTheStoreIsTheKey() throws {
        let site = try Site()
        let keyFile = site.directory.appendingPathComponent("secret.key")
        try Data("a-long-enough-secret-key-for-tests\n".utf8).write(to: keyFile)
        #expect(chmod(keyFile.path, 0o600) == 0)
        site.settings["OTP_SECRET_KEY"] = nil
        site.settings["OTP_SECRET_KEY_FILE"] = keyFile.path
        #expect(try site.run("generate", json: ["channel": "email", "identifier": email]).status == 200)
        let code = try #require(try site.codes(for: email).first)
        site.settings["OTP_SECRET_KEY_FILE"] = nil
        site.settings["OTP_SECRET_KEY"] = "a-long-enough-secret-key-for-tests"
        #expect(try site.run("verify", json: ["channel": "email", "identifier": email, "code": code]).status == 200)

        // Another file: a FastCGI process keeps the settings (and key) it read for the same setting values.
        let openFile = site.directory.appendingPathComponent("open.key")
        try Data("a-long-enough-secret-key-for-tests\n".utf8).write(to: openFile)
        site.settings["OTP_SECRET_KEY"] = nil
        site.settings["OTP_SECRET_KEY_FILE"] = openFile.path
        #expect(chmod(openFile.path, 0o644) == 0)
        let open = try site.run("generate", json: ["channel": "email", "identifier": email])
        #expect(open.status == 500 && open.detail?.hasPrefix("server misconfigured: OTP_SECRET_KEY_FILE must not be readable by other users") == true)
        let inStore = site.store.appendingPathComponent("secret.key")
        try FileManager.default.createDirectory(at: site.store, withIntermediateDirectories: true)
        try Data("a-long-enough-secret-key-for-tests".utf8).write(to: inStore)
        #expect(chmod(inStore.path, 0o600) == 0)
        site.settings["OTP_SECRET_KEY_FILE"] = inStore.path
        let stored = try site.run("generate", json: ["channel": "email", "identifier": email])
        #expect(stored.status == 500 && stored.detail == "server misconfigured: OTP_SECRET_KEY_FILE must be outside OTP_STORE_DIR, so that no copy of the store holds the key")
    }

    /// A key copied from the documentation's examples is public: every request refuses it, from either setting.
    @Test func theDocumentationsPlaceholderKeyIsRefused() throws {
        let site = try Site()
        site.settings["OTP_SECRET_KEY"] = "at-least-16-random-characters-here"
        let answer = try site.run("generate", json: ["channel": "email", "identifier": email])
        #expect(answer.status == 500 && answer.detail?.hasPrefix("server misconfigured: OTP_SECRET_KEY holds the documentation's placeholder key") == true, "\(answer)")
        let file = site.directory.appendingPathComponent("placeholder.key")
        try Data("at-least-16-random-characters-here\n".utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        site.settings["OTP_SECRET_KEY"] = nil
        site.settings["OTP_SECRET_KEY_FILE"] = file.path
        let fromFile = try site.run("verify", json: ["channel": "email", "identifier": email, "code": "123456"])
        #expect(fromFile.status == 500 && fromFile.detail?.hasPrefix("server misconfigured: OTP_SECRET_KEY_FILE holds the documentation's placeholder key") == true, "\(fromFile)")
        #expect(try site.codes(for: email).isEmpty)
    }

    /// The three settings of a channel's Twilio account, as a refused send names them.
    static func twilioSettings(_ channel: String) -> String {
        let prefix = channel == "sms" ? "SMS_TWILIO_" : "WA_TWILIO_"
        return ["ACCOUNT_SID", "AUTH_TOKEN", "SENDER"].map { prefix + $0 }.joined(separator: ", ")
    }
}
