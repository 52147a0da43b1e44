// One request through an endpoint in process: the service on an in-memory store and a stepped clock, the token a
// verify hands out, and the one log line every request writes.
import Foundation
import Testing
@testable import HTTP
import Stores
import OTP

@Suite struct EndpointTests {
    final class World {
        let store = MemoryStore()
        var sent: [OutgoingMessage] = []
        var now: Int64 = 1_700_000_000
        var lines: [String] = []

        func wiring(_ env: [String: String], _ log: @escaping (String) -> Void) throws(OTPError) -> (HTTPSettings, OTPService) {
            let reader = SettingsReader(env: env)
            let service = OTPService(settings: try ServiceSettings(reader), store: store,
                                     senders: { [unowned self] (_: Channel) throws(OTPError) -> any Sender in Recorder(world: self) },
                                     log: log, now: { [unowned self] in now })
            return (try HTTPSettings(reader), service)
        }

        func post(_ endpoint: Endpoint, _ body: String, _ env: [String: String] = [:]) -> Response {
            endpoint.respond(to: Request(method: "POST", contentType: "application/json", body: Array(body.utf8), remoteAddress: "192.0.2.1"),
                             environment: env, log: { [unowned self] in lines.append($0) }, wiring: wiring)
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
        #expect(world.lines == ["generate 200 \"OTP sent\" channel=email to=j***@example.com",
                                "verify 200 \"Verified\" channel=email to=j***@example.com"])
    }

    @Test func withoutATokenSecretVerifyAnswersExactlyTheContract() throws {
        let world = World()
        _ = world.post(.generate, #"{"channel":"sms","identifier":"+14155552671"}"#)
        let code = try #require(world.sent.last?.code)
        let answer = world.post(.verify, #"{"channel":"sms","identifier":"+1 415 555 2671","code":"\#(code)"}"#)
        #expect(answer.status == 200 && answer.json == #"{"detail": "Verified"}"#)
    }

    @Test func aBadSettingIsAnsweredBeforeTheBodyIsRead() {
        let world = World()
        let answer = world.post(.generate, "not json", ["OTP_CODE_LENGTH": "3"])
        #expect(answer.status == 500 && answer.detail == "server misconfigured: OTP_CODE_LENGTH must be a whole number from 4 to 10")
        #expect(world.store.records.isEmpty)
    }
}
