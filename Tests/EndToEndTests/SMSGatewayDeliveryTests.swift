// Every SMS provider but Twilio end to end through a real Apache: each preset, the generic gateway, the command and
// the webhook reach a fake built from the provider's docs (Tests/Fakes/fake_sms.py); failover between two.
import Foundation
import Testing
import TestSupport
@testable import Delivery

/// One provider as a site configures it and as its fake is started.
struct ProviderCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// The fake's --preset.
    let fake: String
    /// The fake's --user and --password.
    let user: String
    let password: String
    let tls: Bool
    /// The site's settings, `PORT` standing for the fake's port.
    let settings: [String: String]

    var testDescription: String { name }

    func settings(port: Int, certificate: String) -> [String: String] {
        var out = settings.mapValues { $0.replacingOccurrences(of: "PORT", with: String(port)) }
        if tls { out["OTP_CA_BUNDLE"] = certificate }
        return out
    }

    static let vonage = ProviderCase(name: "vonage", fake: "vonage", user: "vonage-key-1", password: "vonage-secret-1", tls: true, settings: [
        "SMS_VONAGE_API_KEY": "vonage-key-1", "SMS_VONAGE_API_SECRET": "vonage-secret-1", "SMS_VONAGE_FROM": "Shop",
        "OTP_VONAGE_BASE_URL": "https://127.0.0.1:PORT"])
    static let plivo = ProviderCase(name: "plivo", fake: "plivo", user: "MAXXXXXXXXXXXXXXXXXX", password: "plivo-token-1", tls: true, settings: [
        "SMS_PLIVO_AUTH_ID": "MAXXXXXXXXXXXXXXXXXX", "SMS_PLIVO_AUTH_TOKEN": "plivo-token-1", "SMS_PLIVO_FROM": "+15005550006",
        "OTP_PLIVO_BASE_URL": "https://127.0.0.1:PORT"])
    static let sinch = ProviderCase(name: "sinch", fake: "sinch", user: "jd63jf88477ll123ab4567cd89012ef3", password: "sinch-token-1", tls: true,
                                    settings: ["SMS_SINCH_SERVICE_PLAN_ID": "jd63jf88477ll123ab4567cd89012ef3", "SMS_SINCH_API_TOKEN": "sinch-token-1",
                                               "SMS_SINCH_FROM": "+15005550006", "OTP_SINCH_BASE_URL": "https://127.0.0.1:PORT"])
    static let infobip = ProviderCase(name: "infobip", fake: "infobip", user: "", password: "infobip-key-1", tls: true, settings: [
        "SMS_INFOBIP_API_KEY": "infobip-key-1", "SMS_INFOBIP_FROM": "InfoSMS", "OTP_INFOBIP_BASE_URL": "https://127.0.0.1:PORT"])
    static let telnyx = ProviderCase(name: "telnyx", fake: "telnyx", user: "", password: "KEY0123456789", tls: true, settings: [
        "SMS_TELNYX_API_KEY": "KEY0123456789", "SMS_TELNYX_FROM": "+15005550006", "OTP_TELNYX_BASE_URL": "https://127.0.0.1:PORT"])
    static let kannel = ProviderCase(name: "kannel", fake: "kannel", user: "otp", password: "kannel-pass-1", tls: false, settings: [
        "SMS_KANNEL_USER": "otp", "SMS_KANNEL_PASSWORD": "kannel-pass-1", "OTP_KANNEL_BASE_URL": "http://127.0.0.1:PORT"])
    static let jasmin = ProviderCase(name: "jasmin", fake: "jasmin", user: "otp", password: "jasmin-pass-1", tls: false, settings: [
        "SMS_JASMIN_USER": "otp", "SMS_JASMIN_PASSWORD": "jasmin-pass-1", "OTP_JASMIN_BASE_URL": "http://127.0.0.1:PORT"])
    /// The generic gateway written for Telnyx's API, as a user would write one for a provider without a preset.
    static let http = ProviderCase(name: "http", fake: "telnyx", user: "", password: "KEY0123456789", tls: true, settings: [
        "SMS_HTTP_URL": "https://127.0.0.1:PORT/v2/messages", "SMS_HTTP_ENCODING": "json",
        "SMS_HTTP_BODY": #"{'from': '{from}', 'to': '{to}', 'text': '{text}'}"#.replacingOccurrences(of: "'", with: "\\\""),
        "SMS_HTTP_FROM": "+15005550006", "SMS_HTTP_HEADERS": "Authorization: Bearer KEY0123456789"])
    static let webhook = ProviderCase(name: "webhook", fake: "webhook", user: "", password: SMSGatewayDeliveryTests.webhookSecret, tls: true,
                                      settings: ["SMS_WEBHOOK_URL": "https://127.0.0.1:PORT/hook", "SMS_WEBHOOK_SECRET": SMSGatewayDeliveryTests.webhookSecret])

    static let presets = [vonage, plivo, sinch, infobip, telnyx, kannel, jasmin, http, webhook]
}

/// A fake provider and the Apache whose site sends through it; both stop when the test ends.
final class ProviderWorld {
    let site: Site
    var fakes: [FakeServer] = []
    var apache: LocalApache!

    /// Apache's CGI runs as the web server's user, who must reach the certificate and the command's files. The
    /// modes are set, not left to the umask: in-process tests of the file store narrow it for a moment.
    init() throws {
        site = try Site()
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: site.directory.path)
    }

    deinit { apache?.stop() }

    var certificate: (cert: String, key: String) {
        get throws {
            let made = try DeliveryTools.certificate(in: site.directory)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: made.cert)
            return made
        }
    }

    func fake(_ provider: ProviderCase, answer: String = "ok") throws -> FakeServer {
        let cert = try certificate
        let fake = try FakeServer("fake_sms.py", in: site, ["--preset", provider.fake, "--user", provider.user, "--password", provider.password,
                                                            "--answer", answer] + (provider.tls ? ["--cert", cert.cert, "--key", cert.key] : []))
        fakes.append(fake)
        return fake
    }

    func start(_ settings: [String: String]) async throws {
        apache = try await LocalApache.start(settings: settings, sharedHosting: false)
    }

    func generate(_ phone: String) async throws -> HTTPAnswer {
        try await apache.post("generate", ["channel": "sms", "identifier": phone], accept: "application/json")
    }

    func verifies(_ phone: String, _ code: String) async throws -> Bool {
        try await apache.post("verify", ["channel": "sms", "identifier": phone, "code": code], accept: "application/json").status == 200
    }

    var errorLog: String { (try? String(contentsOf: apache.run.appendingPathComponent("error.log"), encoding: .utf8)) ?? "" }
}

@Suite struct SMSGatewayDeliveryTests {
    static let webhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    /// Characters every escaping must carry: form and query delimiters, a percent, a fragment mark.
    static let gsmTemplate = "Shop & Co: {code} is your code, 100% sure #1 +x=y"
    static let ucs2Template = "Shop & Co: {code} ✓"

    /// The one request a fake received, checked; its text.
    func onlyMessage(_ fake: FakeServer, _ phone: String) throws -> String {
        let records = try fake.recorded()
        try #require(records.count == 1, "\(records)")
        #expect(records[0]["problems"] as? [String] == [], "\(records[0])")
        #expect(records[0]["authorized"] as? Bool == true)
        #expect((records[0]["to"] as? String).map { $0 == phone || $0 == String(phone.dropFirst()) } == true)
        return try #require(records[0]["text"] as? String)
    }

    @Test(arguments: ProviderCase.presets)
    func aSendReachesTheProviderAsItsDocsSayAndTheCodeVerifies(provider: ProviderCase) async throws {
        let world = try ProviderWorld(), phone = "+14155552671"
        let fake = try world.fake(provider)
        try await world.start(provider.settings(port: fake.port, certificate: try world.certificate.cert)
            .merging(["OTP_SMS_TEMPLATE": Self.gsmTemplate]) { $1 })
        let answer = try await world.generate(phone)
        #expect(answer.status == 200, "\(answer.body) \(world.errorLog)")
        let text = try onlyMessage(fake, phone)
        let code = String(try #require(text.components(separatedBy: "Co: ").last?.prefix { $0.isNumber }))
        #expect(text == Self.gsmTemplate.replacingOccurrences(of: "{code}", with: code))
        #expect(try await world.verifies(phone, code))
        #expect(!world.errorLog.contains(provider.password) || provider.password.isEmpty)
    }

    /// Vonage and Kannel are told when a text needs UCS-2 (the fakes refuse a mismatch).
    @Test(arguments: [ProviderCase.vonage, .kannel])
    func aTextBeyondGSM7IsSentAsUnicode(provider: ProviderCase) async throws {
        let world = try ProviderWorld(), phone = "+14155552672"
        let fake = try world.fake(provider)
        try await world.start(provider.settings(port: fake.port, certificate: try world.certificate.cert)
            .merging(["OTP_SMS_TEMPLATE": Self.ucs2Template]) { $1 })
        #expect(try await world.generate(phone).status == 200, "\(world.errorLog)")
        #expect(try onlyMessage(fake, phone).hasSuffix(" ✓"))
    }

    /// Vonage and Infobip answer 200 with a failure inside: the preset's success field makes it a failure, so no
    /// code is usable and the client gets the usual 500.
    @Test(arguments: [ProviderCase.vonage, .infobip])
    func aTwoHundredWithAnErrorInsideIsAFailure(provider: ProviderCase) async throws {
        let world = try ProviderWorld(), phone = "+14155552673"
        let fake = try world.fake(provider, answer: "error-body")
        try await world.start(provider.settings(port: fake.port, certificate: try world.certificate.cert))
        let answer = try await world.generate(phone)
        #expect(answer.status == 500 && answer.detail == "Could not send the code by sms")
        let text = try onlyMessage(fake, phone)
        #expect(try await !world.verifies(phone, try otpCode(in: text)))
        #expect(world.errorLog.contains("\(provider.name) answered HTTP 200 but messages.0.status"))
    }

    /// A number the provider documents as unreachable is the asker's 400, and not tried elsewhere.
    @Test(arguments: [(ProviderCase.vonage, "The phone number cannot receive SMS"), (.telnyx, "The phone number is not valid")])
    func aRefusedNumberIs400AndNotTriedElsewhere(provider: ProviderCase, detail: String) async throws {
        let world = try ProviderWorld(), phone = "+14155552674"
        let fake = try world.fake(provider, answer: "refuse"), second = try world.fake(.jasmin)
        try await world.start(provider.settings(port: fake.port, certificate: try world.certificate.cert)
            .merging(ProviderCase.jasmin.settings(port: second.port, certificate: "")) { $1 }
            .merging(["SMS_PROVIDERS": "\(provider.name) jasmin"]) { $1 })
        let answer = try await world.generate(phone)
        #expect(answer.status == 400 && answer.detail == detail)
        #expect(try second.recorded().isEmpty)
    }

    /// The first listed provider failing (503, or nothing listening) costs one try: the second sends, the client
    /// gets the usual 200, and within the pause the next request goes to the second directly.
    @Test(arguments: ["503", "down"])
    func aFailedProviderIsSkippedAndPaused(failure: String) async throws {
        let world = try ProviderWorld()
        let first = try world.fake(.telnyx, answer: failure == "down" ? "ok" : failure), second = try world.fake(.kannel)
        let firstPort = first.port
        if failure == "down" { first.stop() }
        try await world.start(ProviderCase.telnyx.settings(port: firstPort, certificate: try world.certificate.cert)
            .merging(ProviderCase.kannel.settings(port: second.port, certificate: "")) { $1 }
            .merging(["SMS_PROVIDERS": "telnyx, kannel", "OTP_PROVIDER_PAUSE_SECONDS": "3600"]) { $1 })

        let one = "+14155552675", two = "+14155552676"
        #expect(try await world.generate(one).status == 200)
        #expect(try await world.verifies(one, try otpCode(in: onlyMessage(second, one))))
        let tried = try first.recorded().count
        #expect(tried == (failure == "down" ? 0 : 1))
        #expect(world.errorLog.contains("sms: sent by kannel after telnyx failed ("))

        #expect(try await world.generate(two).status == 200)
        #expect(try first.recorded().count == tried, "the paused provider was tried again")
        #expect(try second.recorded().count == 2)
    }

    /// SMS_COMMAND as README shows it: the number as the argument, the text on stdin, nothing else inherited.
    @Test func theCommandGetsTheNumberAndTheTextAndNothingElse() async throws {
        let world = try ProviderWorld(), phone = "+14155552677"
        let outbox = world.site.directory.appendingPathComponent("command-out")
        try FileManager.default.createDirectory(at: outbox, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: outbox.path)
        let script = world.site.directory.appendingPathComponent("send-sms")
        try DeliveryTools.script(script, """
            printf '%s\\n' "$#" "$1" > '\(outbox.path)/args'
            env > '\(outbox.path)/env'
            cat > '\(outbox.path)/text'
            """)
        try await world.start(["SMS_COMMAND": script.path, "OTP_SMS_TEMPLATE": Self.gsmTemplate])
        #expect(try await world.generate(phone).status == 200, "\(world.errorLog)")
        #expect(try String(contentsOf: outbox.appendingPathComponent("args"), encoding: .utf8) == "1\n\(phone)\n")
        let text = try String(contentsOf: outbox.appendingPathComponent("text"), encoding: .utf8)
        let code = String(try #require(text.components(separatedBy: "Co: ").last?.prefix { $0.isNumber }))
        #expect(text == Self.gsmTemplate.replacingOccurrences(of: "{code}", with: code))
        let environment = try String(contentsOf: outbox.appendingPathComponent("env"), encoding: .utf8)
        #expect(!environment.contains("OTP_") && !environment.contains("HTTP_") && !environment.contains("SMS_"), "\(environment)")
        #expect(try await world.verifies(phone, code))
    }

    @Test func aFailingCommandIs500WithItsStatusAndNoUsableCode() async throws {
        let world = try ProviderWorld(), phone = "+14155552678"
        let script = world.site.directory.appendingPathComponent("broken-modem")
        try DeliveryTools.script(script, "cat >/dev/null; echo 'no modem on /dev/ttyUSB0' >&2; exit 3\n")
        try await world.start(["SMS_COMMAND": script.path])
        let answer = try await world.generate(phone)
        #expect(answer.status == 500 && answer.detail == "Could not send the code by sms")
        #expect(world.errorLog.contains("exited with status 3: no modem on /dev/ttyUSB0"))
    }

    /// The webhook's request, as the fake received it, is verified by each example in examples/ (PHP, Python,
    /// Node) and refused by each once the body is changed.
    @Test func theWebhooksSignatureIsCheckedByEachExample() async throws {
        let world = try ProviderWorld(), phone = "+14155552679"
        let fake = try world.fake(.webhook)
        try await world.start(ProviderCase.webhook.settings(port: fake.port, certificate: try world.certificate.cert))
        #expect(try await world.generate(phone).status == 200, "\(world.errorLog)")
        let record = try #require(try fake.recorded().first)
        let event = try #require(record["event"] as? [String: Any])
        let code = try #require(event["code"] as? String)
        #expect(event["channel"] as? String == "sms" && event["number"] as? String == phone && event["locale"] as? String == "en")
        #expect((event["message"] as? String)?.contains(code) == true && (event["expires_at"] as? Int ?? 0) > Int(Date().timeIntervalSince1970))
        let body = try #require(record["body"] as? String), headers = try #require(record["headers"] as? [String: String])
        let tampered = body.replacingOccurrences(of: code, with: String(code.reversed()) == code ? "000000" : String(code.reversed()))
        let lines = try [body, tampered].map { text in
            String(decoding: try JSONSerialization.data(withJSONObject: ["body": text, "headers": headers]), as: UTF8.self)
        }.joined(separator: "\n") + "\n"
        for checker in [["php", "check.php"], ["python3", "check.py"], ["node", "check.js"]] {
            let output = try Tool.run(["/usr/bin/env", checker[0], Project.root.appendingPathComponent("Tests/WebhookCheckers/\(checker[1])").path],
                                      environment: ["WEBHOOK_SECRET": Self.webhookSecret], input: lines)
            #expect(output == "ok \(phone) \(code)\nno\n", "\(checker[0])")
        }
        #expect(try await world.verifies(phone, code))
    }

    /// What the docs show is what the tests run.
    @Test func theREADMEShowsTheTestedExamplesVerbatim() throws {
        let readme = README.text
        for (file, language) in [("otp-webhook.php", "php"), ("otp_webhook.py", "python"), ("otp-webhook.js", "js"), ("sms-gammu.sh", "sh")] {
            let text = try String(contentsOf: Project.root.appendingPathComponent("examples/\(file)"), encoding: .utf8)
            #expect(readme.contains("```\(language)\n\(text)```\n"), "the docs must show examples/\(file) as it is")
        }
    }

    /// examples/sms-gammu.sh hands gammu-smsd-inject the number and the text as its man page shows (a stand-in
    /// gammu-smsd-inject on PATH records what it got), and passes on its exit status.
    @Test func theGammuExampleQueuesTheMessage() throws {
        let site = try Site()
        let bin = site.directory.appendingPathComponent("bin"), record = site.directory.appendingPathComponent("injected")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try DeliveryTools.script(bin.appendingPathComponent("gammu-smsd-inject"),
                                 "printf '%s\\n' \"$@\" > '\(record.path).args'; cat > '\(record.path).text'; exit ${INJECT_STATUS:-0}\n")
        let example = Project.root.appendingPathComponent("examples/sms-gammu.sh").path
        _ = try Tool.run([example, "+14155552671"], environment: ["PATH": bin.path + ":/usr/bin:/bin"], input: "Your code: 123456")
        #expect(try String(contentsOf: URL(fileURLWithPath: record.path + ".args"), encoding: .utf8) == "TEXT\n+14155552671\n")
        #expect(try String(contentsOf: URL(fileURLWithPath: record.path + ".text"), encoding: .utf8) == "Your code: 123456")
        #expect(throws: TestFailure.self) {
            try Tool.run([example, "+14155552671"], environment: ["PATH": bin.path + ":/usr/bin:/bin", "INJECT_STATUS": "2"], input: "x")
        }
    }

    /// OTP_SMS_MAX_SEGMENTS holds whichever provider sends: a text over it is refused before anything is sent.
    @Test(arguments: [ProviderCase.kannel, .webhook])
    func theSegmentLimitHoldsForEveryProvider(provider: ProviderCase) throws {
        let site = try Site(["OTP_SMS_TEMPLATE": String(repeating: "Votre code de connexion. ", count: 7) + "{code}"])
        let cert = try DeliveryTools.certificate(in: site.directory)
        let fake = try FakeServer("fake_sms.py", in: site, ["--preset", provider.fake, "--user", provider.user, "--password", provider.password]
                                  + (provider.tls ? ["--cert", cert.cert, "--key", cert.key] : []))
        site.settings.merge(provider.settings(port: fake.port, certificate: cert.cert)) { $1 }
        let answer = try site.generate("sms", "+14155552680", expecting: 500)
        #expect(answer.detail == "server misconfigured: OTP_SMS_TEMPLATE needs 2 SMS segments (GSM-7, 181 septets) with a 6-digit code; "
            + "OTP_SMS_MAX_SEGMENTS is 1")
        #expect(try fake.recorded().isEmpty)
    }

    /// Every setting a gateway reads is in the docs, each preset's credentials by name.
    @Test func everyGatewaySettingIsDocumented() throws {
        let readme = README.text
        var names = GatewaySettings.suffixes.map { "SMS_HTTP_" + $0 } + ["SMS_COMMAND", "SMS_COMMAND_TIMEOUT", "SMS_WEBHOOK_URL",
                    "SMS_WEBHOOK_SECRET", "SMS_WEBHOOK_SECRET_FILE", "SMS_WEBHOOK_TIMEOUT", "SMS_PROVIDERS", "WA_PROVIDERS", "OTP_PROVIDER_PAUSE_SECONDS"]
        for preset in GatewayPreset.all {
            names += (preset.required + preset.optional.map(\.0)).map { preset.settingPrefix + $0 }
            #expect(readme.contains("| `\(preset.name)`"), "the presets table lacks \(preset.name)")
        }
        for name in names { #expect(readme.contains("`\(name)`"), "the docs do not name \(name)") }
    }
}
