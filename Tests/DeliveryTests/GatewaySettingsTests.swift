// SMS_HTTP_* and the presets' settings: what a gateway sends, and each mistake named before a send.
import Testing
import TestSupport
@testable import Delivery
import OTP

@Suite struct GatewaySettingsTests {
    let generic = ["SMS_HTTP_URL": "https://sms.example/send", "SMS_HTTP_BODY": "to={to}&text={text}"]

    func spec(_ env: [String: String], _ name: String = "http") throws -> GatewaySpec {
        let entry = try #require(try deliverySettings(env).gateways.first { $0.name == name })
        guard case .configured(let spec) = entry.state else { Issue.record("\(name) not configured"); throw OTPError.storeFailed }
        return spec
    }

    @Test func theGenericGatewayDefaultsToAFormPOST() throws {
        let spec = try spec(generic)
        #expect((spec.url, spec.method, spec.body.encoding, spec.timeoutSeconds) == ("https://sms.example/send", "POST", .form, 10))
        #expect(spec.success == nil && spec.user == nil && spec.headers.isEmpty)
    }

    @Test func headersAreSplitAtBarsAndChecked() throws {
        let spec = try spec(generic.merging(["SMS_HTTP_HEADERS": "Authorization: Bearer abc | X-Api-Key:k"]) { $1 })
        #expect(try HTTPGateway(spec: spec, delivery: DeliverySettings()).headers([:]) == ["Authorization: Bearer abc", "X-Api-Key: k"])
        #expect(GatewaySettings.header("X-Key: a\u{1}b") == nil)
        #expect(GatewaySettings.header("Bad Name: x") == nil)
    }

    @Test(arguments: [
        (["SMS_HTTP_URL": "http://sms.example/send"], "SMS_HTTP_URL must be an https:// URL (http:// only to this machine: 127.0.0.1, [::1] or localhost)"),
        (["SMS_HTTP_URL": "https://sms.example/a b"], "SMS_HTTP_URL must be a URL without spaces, quotes, # or non-ASCII characters (percent-encode them)"),
        (["SMS_HTTP_METHOD": "PUT"], "SMS_HTTP_METHOD must be POST or GET"),
        (["SMS_HTTP_METHOD": "GET", "SMS_HTTP_ENCODING": "json"], "SMS_HTTP_METHOD GET sends no body: set SMS_HTTP_ENCODING to query"),
        (["SMS_HTTP_BODY": "to={to}"], "SMS_HTTP_BODY must contain {text}, or no code would be sent"),
        (["SMS_HTTP_SUCCESS": "status"], "SMS_HTTP_SUCCESS must be field=value, the field a JSON key or a dotted path such as messages.0.status"),
        (["SMS_HTTP_USER": "a:b"], "SMS_HTTP_USER must not contain a colon (the password would begin there)"),
        (["SMS_HTTP_PASSWORD": "p"], "SMS_HTTP_PASSWORD needs SMS_HTTP_USER"),
        (["SMS_HTTP_TIMEOUT": "0"], "SMS_HTTP_TIMEOUT must be a whole number from 1 to 120"),
        (["SMS_HTTP_HEADERS": "Authorization Bearer x"], "SMS_HTTP_HEADERS: each header must be Name: value, separated by | or line breaks, without control characters"),
    ])
    func aMistakeIsNamed(extra: [String: String], message: String) {
        #expect(throws: OTPError.misconfigured(message)) { try deliverySettings(generic.merging(extra) { $1 }) }
    }

    @Test(arguments: ["http://127.0.0.1:8080/x", "http://[::1]/x", "http://localhost/x"])
    func plainHTTPIsAllowedToThisMachine(url: String) throws {
        #expect(try spec(generic.merging(["SMS_HTTP_URL": url]) { $1 }).url == url)
    }

    @Test(arguments: ["http://127.0.0.1.example/", "http://user@127.0.0.1/", "http://10.0.0.1/", "http://[::2]/"])
    func plainHTTPElsewhereIsRefused(url: String) {
        #expect(!HTTPGateway.isLoopback(url))
    }

    @Test func aPartialGatewayNamesWhatIsMissingAndServesNot() throws {
        let settings = try deliverySettings(["SMS_HTTP_BODY": "to={to}&text={text}"])
        guard case .partial(let missing) = settings.gateways[0].state else { Issue.record("not partial"); return }
        #expect(missing == ["SMS_HTTP_URL"])
        var lines: [String] = []
        #expect(try Senders.sender(for: .sms, settings: settings, pauses: MemoryProviderPauses(), log: { lines.append($0) }) is ConsoleSender)
        #expect(lines == ["warning: sms provider http partly configured, SMS_HTTP_URL missing; using the console backend"])
    }

    @Test func aPresetFillsItsPathAndHeadersAndABaseURLMovesIt() throws {
        let sinch = try spec(["SMS_SINCH_SERVICE_PLAN_ID": "plan1", "SMS_SINCH_API_TOKEN": "tok", "SMS_SINCH_FROM": "+15005550006",
                              "OTP_SINCH_BASE_URL": "https://eu.sms.api.sinch.com/"], "sinch")
        #expect(sinch.url == "https://eu.sms.api.sinch.com/xms/v1/plan1/batches")
        #expect(try HTTPGateway(spec: sinch, delivery: DeliverySettings()).headers(sinch.values) == ["Authorization: Bearer tok"])
    }

    @Test func aPresetsSettingOverridesItsDefault() throws {
        let telnyx = try spec(["SMS_TELNYX_API_KEY": "k", "SMS_TELNYX_FROM": "+1", "SMS_TELNYX_TIMEOUT": "30",
                               "SMS_TELNYX_BODY": #"{"from": "{from}", "to": "{to}", "text": "{text}", "type": "SMS"}"#], "telnyx")
        #expect(telnyx.timeoutSeconds == 30)
        #expect(telnyx.body.render { ["text": "t", "to": "+2", "from": "+1"][$0] ?? "" } == #"{"from": "+1", "to": "+2", "text": "t", "type": "SMS"}"#)
    }

    @Test func severalConfiguredNeedAList() {
        let env = generic.merging(["SMS_TWILIO_ACCOUNT_SID": "AC1", "SMS_TWILIO_AUTH_TOKEN": "t", "SMS_TWILIO_SENDER": "+1"]) { $1 }
        #expect(throws: OTPError.misconfigured("SMS_PROVIDERS must list the order to try them: twilio, http")) { try deliverySettings(env) }
    }

    @Test func theListBuildsAFailoverInItsOrder() throws {
        let env = generic.merging(["SMS_TWILIO_ACCOUNT_SID": "AC1", "SMS_TWILIO_AUTH_TOKEN": "t", "SMS_TWILIO_SENDER": "+1",
                                   "SMS_PROVIDERS": "http twilio"]) { $1 }
        let sender = try Senders.sender(for: .sms, settings: try deliverySettings(env), pauses: MemoryProviderPauses(), log: { _ in })
        #expect((sender as? FailoverSender)?.providers.map(\.name) == ["http", "twilio"])
    }
}

@Suite struct GatewayAnswerTests {
    func gateway(_ name: String, _ env: [String: String]) throws -> HTTPGateway {
        let entry = try #require(try deliverySettings(env).gateways.first { $0.name == name })
        guard case .configured(let spec) = entry.state else { throw OTPError.storeFailed }
        return HTTPGateway(spec: spec, delivery: DeliverySettings())
    }

    var vonage: HTTPGateway { get throws { try gateway("vonage", ["SMS_VONAGE_API_KEY": "k", "SMS_VONAGE_API_SECRET": "s", "SMS_VONAGE_FROM": "Shop"]) } }

    @Test func vonagesTwoHundredWithAnErrorStatusIsAFailure() throws {
        let body = Array(#"{"message-count": "1", "messages": [{"status": "4", "error-text": "Bad Credentials"}]}"#.utf8)
        #expect(throws: DeliveryFault("vonage answered HTTP 200 but messages.0.status is 4, not 0")) { try vonage.check(status: 200, body: body) }
        try vonage.check(status: 200, body: Array(#"{"messages": [{"status": "0"}]}"#.utf8))
    }

    @Test func aBarredNumberIsARefusal() throws {
        let body = Array(#"{"messages": [{"status": "7", "error-text": "Number barred."}]}"#.utf8)
        #expect(throws: DeliveryFault(refused: "The phone number cannot receive SMS")) { try vonage.check(status: 200, body: body) }
    }

    @Test(arguments: [(401, "http answered HTTP 401 (authentication failed: check the http credentials)"),
                      (503, "http answered HTTP 503 (the provider is failing)"), (404, "http answered HTTP 404")])
    func aStatusOutside2xxIsAFault(status: Int, message: String) throws {
        let http = try gateway("http", ["SMS_HTTP_URL": "https://x.example/", "SMS_HTTP_BODY": "to={to}&text={text}"])
        #expect(throws: DeliveryFault(message)) { try http.check(status: status, body: []) }
    }

    @Test func telnyxsInvalidToIsARefusal() throws {
        let telnyx = try gateway("telnyx", ["SMS_TELNYX_API_KEY": "k", "SMS_TELNYX_FROM": "+1"])
        #expect(throws: DeliveryFault(refused: "The phone number is not valid")) {
            try telnyx.check(status: 400, body: Array(#"{"errors": [{"code": "40310", "title": "Invalid 'to' address"}]}"#.utf8))
        }
        #expect(throws: DeliveryFault("telnyx answered HTTP 400")) {
            try telnyx.check(status: 400, body: Array(#"{"errors": [{"code": "10004"}]}"#.utf8))
        }
    }
}
