// One request through an endpoint in process: the service on an in-memory store and a stepped clock, the token a
// verify hands out, and the one log line every request writes.
import Foundation
import Testing
import Gateway
@testable import Web
import TestSupport
import OTP
import Platform

@Suite struct EndpointTests {
    final class World {
        let store = MemoryStore()
        var sent: [OutgoingMessage] = []
        var now: Int64 = 1_700_000_000
        var lines: [String] = []

        func wiring(_ request: Request, _ log: @escaping (String) -> Void) throws(OTPError) -> (WebSettings, OTPService) {
            let reader = SettingsReader(env: request.environment)
            let service = OTPService(settings: try ServiceSettings(reader), store: store,
                                     senders: { [unowned self] (_: Channel) throws(OTPError) -> any Sender in Recorder(world: self) },
                                     messages: Messages(), log: log, now: { [unowned self] in now })
            return (try WebSettings(reader), service)
        }

        func post(_ endpoint: Endpoint, _ body: String, _ env: [String: String] = [:], acceptLanguage: String? = nil) -> Response {
            answer(endpoint, body, env, acceptLanguage: acceptLanguage).response
        }

        func answer(_ endpoint: Endpoint, _ body: String, _ env: [String: String] = [:], acceptLanguage: String? = nil) -> Answer {
            endpoint.respond(to: Request(method: "POST", contentType: "application/json", acceptLanguage: acceptLanguage, body: Array(body.utf8),
                                         remoteAddress: "192.0.2.1", environment: ["OTP_SECRET_KEY": "endpoint-tests-key-0123456789"].merging(env) { $1 }),
                             page: false, log: { [unowned self] in lines.append($0) }, wiring: wiring)
        }

        /// English and French only, each message "LOCALE CODE".
        struct Messages: MessageComposer {
            var defaultLocale: LanguageTag { .english }
            func isAvailable(_ locale: LanguageTag) -> Bool { ["en", "fr"].contains(locale.description) }
            func locale(requested: LanguageTag?, phone: String?) -> LanguageTag { requested?.firstTruncation(where: isAvailable) ?? .english }
            func message(to recipient: Identifier, code: String, locale: LanguageTag) throws(TemplateFault) -> OutgoingMessage {
                OutgoingMessage(recipient: recipient, code: code, subject: nil, text: "\(locale) \(code)")
            }
        }

        struct Recorder: Sender {
            let world: World
            func send(_ message: OutgoingMessage) throws(DeliveryFault) { world.sent.append(message) }
        }
    }

    static let tokenSettings = ["OTP_TOKEN_SECRET": String(repeating: "t", count: 32), "OTP_TOKEN_TTL_SECONDS": "120"]

    @Test func aVerifiedCodeGetsATokenWhoseClaimsFollowTheServicesClock() throws {
        let world = World()
        let sent = world.post(.generate, #"{"channel":"email","identifier":"Joe@Example.com"}"#, Self.tokenSettings)
        #expect(sent.status == 200 && sent.fields.last?.1 == .integer(world.now + 300))
        let code = try #require(world.sent.last?.code)
        world.now += 7
        let answer = world.post(.verify, #"{"channel":"email","identifier":"joe@example.com","code":"\#(code)"}"#, Self.tokenSettings)
        #expect(answer.status == 200 && answer.detail == "Verified")
        guard case .string(let token)? = answer.fields.first(where: { $0.0 == "token" })?.1 else { Issue.record("no token"); return }
        var payload = String(token.split(separator: ".")[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        payload += String(repeating: "=", count: (4 - payload.count % 4) % 4)
        let data = try #require(Data(base64Encoded: payload))
        let claims = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(claims["sub"] as? String == "joe@example.com" && claims["channel"] as? String == "email")
        #expect(claims["iat"] as? Int == Int(world.now) && claims["exp"] as? Int == Int(world.now) + 120)
        #expect(world.lines == ["generate 200 \"OTP sent\" channel=email to=j***@example.com locale=en",
                                "verify 200 \"Verified\" channel=email to=j***@example.com"])
    }

    @Test func withoutATokenSecretVerifyAnswersExactlyTheContract() throws {
        let world = World()
        _ = world.post(.generate, #"{"channel":"sms","identifier":"+14155552671"}"#)
        let code = try #require(world.sent.last?.code)
        let answer = world.post(.verify, #"{"channel":"sms","identifier":"+1 415 555 2671","code":"\#(code)"}"#)
        #expect(answer.status == 200 && answer.json == #"{"detail": "Verified"}"#)
    }

    /// The locale field first (strictly a tag: it names template folders), else Accept-Language among the locales the
    /// site has; the one chosen ends the log line and rides along for the answer page.
    @Test func theLocaleComesFromTheFieldOrTheHeader() throws {
        let world = World()
        let fromField = world.answer(.generate, #"{"channel":"email","identifier":"a@example.com","locale":"FR-ca"}"#, acceptLanguage: "en")
        #expect(fromField.response.status == 200 && world.sent.last?.text.hasPrefix("fr ") == true)
        #expect(fromField.page.sent.locale?.description == "fr-CA" && fromField.page.defaultLocale == .english)
        _ = world.post(.generate, #"{"channel":"email","identifier":"b@example.com","locale":""}"#, acceptLanguage: "de, fr-BE;q=0.5")
        #expect(world.sent.last?.text.hasPrefix("fr ") == true)
        #expect(world.lines.map { $0.components(separatedBy: " locale=").last! } == ["fr", "fr"])
        let refused = world.post(.generate, #"{"channel":"email","identifier":"c@example.com","locale":"../../etc"}"#)
        #expect(refused.status == 400 && refused.detail == "locale must be a BCP 47 language tag such as pt-BR")
        #expect(world.sent.count == 2)
    }

    @Test func aBadSettingIsAnsweredBeforeTheBodyIsRead() {
        let world = World()
        let answer = world.post(.generate, "not json", ["OTP_CODE_LENGTH": "3"])
        #expect(answer.status == 500 && answer.detail == "server misconfigured: OTP_CODE_LENGTH must be a whole number from 4 to 10")
        #expect(world.store.records.isEmpty)
    }

    /// The `state` field goes into the token as a claim; past its bound it is a 400 that repeats nothing of it.
    @Test func aStateIsAClaimOfTheTokenAndBounded() throws {
        let world = World()
        _ = world.post(.generate, #"{"channel":"email","identifier":"s@example.com"}"#, Self.tokenSettings)
        let code = try #require(world.sent.last?.code)
        let long = String(repeating: "x", count: 257)
        let refused = world.post(.verify, #"{"channel":"email","identifier":"s@example.com","code":"\#(code)","state":"\#(long)"}"#, Self.tokenSettings)
        #expect(refused.status == 400 && refused.detail == "state must be 1 to 256 printable ASCII characters without spaces")
        let answer = world.post(.verify, #"{"channel":"email","identifier":"s@example.com","code":"\#(code)","state":"abc-123"}"#, Self.tokenSettings)
        guard case .string(let token)? = answer.fields.first(where: { $0.0 == "token" })?.1 else { Issue.record("no token"); return }
        var payload = String(token.split(separator: ".")[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        payload += String(repeating: "=", count: (4 - payload.count % 4) % 4)
        let data = try #require(Data(base64Encoded: payload))
        let claims = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(claims["state"] as? String == "abc-123")
    }

    /// A JSON key holding a line break must not forge a second log line, and a 400 must not repeat the client's key.
    @Test func aClientsKeyNeitherForgesALogLineNorComesBackInTheDetail() {
        let world = World()
        let answer = world.post(.generate, "{\"x\\n otp-cgi: verify 200 \\\"Verified\\\"\":\"1\",\"x\\n otp-cgi: verify 200 \\\"Verified\\\"\":\"2\"}")
        #expect(answer.status == 400 && answer.detail == "duplicate field")
        #expect(world.lines == ["generate 400 \"duplicate field\""])
        let forged = world.post(.generate, #"{"channel":"email\n otp-cgi: verify 200 \"Verified\""}"#)
        #expect(forged.status == 400)
        #expect(world.lines.map { StandardError.logLine($0) }.allSatisfy { $0.filter { $0 == 0x0a }.count == 1 })
    }

    /// A body the gateway could not read is answered by the handler, with its log line, before any setting is read.
    @Test func aBodyTheGatewayRefusedIsAnsweredWithItsStatus() {
        let world = World()
        let handler = Endpoint.generate.handler(wiring: world.wiring)
        for (length, status) in [("99999", "413 Content Too Large"), ("x", "400 Bad Request"), ("50", "400 Bad Request")] {
            let request = CGI.request(from: ["REQUEST_METHOD": "POST", "CONTENT_LENGTH": length, "OTP_CODE_LENGTH": "3"]) { Array("{}".utf8.prefix($0)) }
            let text = String(decoding: handler(request, { world.lines.append($0) }), as: UTF8.self)
            #expect(text.hasPrefix("Status: \(status)\r\nContent-Type: application/json\r\n"), "\(text)")
        }
        #expect(world.lines == ["generate 413 \"Request body too large\"", "generate 400 \"Bad Content-Length\"",
                                "generate 400 \"Request body is shorter than its Content-Length\""])
    }
}
