// The defaults that make the generic HTTP gateway speak one provider's API, each from that provider's own docs.

/// A preset is only defaults: every SMS_HTTP_* setting exists as SMS_<PRESET>_* too and overrides its default (a
/// body with an extra field, a longer timeout), and OTP_<PRESET>_BASE_URL moves the API (a region, a self-hosted
/// gateway elsewhere, a test's fake). Its credentials are placeholders of its templates, escaped like the message.
struct GatewayPreset: Sendable {
    let name: String
    /// Settings after SMS_<PRESET>_ that a send needs, as placeholders: API_KEY is `{api_key}`.
    let required: [String]
    /// Those that may be left out, with their defaults.
    let optional: [(String, String)]
    /// Those that are secrets: each may come from a `_FILE` setting instead.
    let secrets: [String]
    let baseURL: String
    /// Appended to the base URL, with placeholders (percent-encoded).
    let path: String
    let method: String
    let encoding: BodyEncoding
    let body: String
    /// `Name: value` with placeholders.
    let headers: [String]
    /// Basic auth's user and password, as placeholders.
    let basicAuth: (String, String)?
    let success: String?
    let refusals: [(ClosedRange<Int>, String, String)]
    /// A placeholder whose value depends on whether the text goes as GSM-7 or as UCS-2: (name, GSM-7, UCS-2).
    var coding: (String, String, String)? = nil

    var settingPrefix: String { "SMS_\(name.uppercased())_" }

    static let all: [GatewayPreset] = [vonage, plivo, sinch, infobip, telnyx, kannel, jasmin]

    /// Vonage's SMS API (developer.vonage.com/messaging/sms): a form with the key and secret, the number without
    /// its `+`, `type=unicode` for a text that is not GSM-7; it answers 200 whatever happened, and `messages[0].status` "0" is the only success. Status 7 is
    /// "Number Barred".
    static let vonage = GatewayPreset(
        name: "vonage", required: ["API_KEY", "API_SECRET", "FROM"], optional: [], secrets: ["API_SECRET"],
        baseURL: "https://rest.nexmo.com", path: "/sms/json", method: "POST", encoding: .form,
        body: "api_key={api_key}&api_secret={api_secret}&from={from}&to={to_digits}&text={text}&type={type}", headers: [], basicAuth: nil,
        success: "messages.0.status=0", refusals: [(200...200, "messages.0.status=7", "The phone number cannot receive SMS")],
        coding: ("type", "text", "unicode"))

    /// Plivo's Message API (plivo.com/docs/messaging/api/message): JSON with src, dst and text, basic auth with the
    /// Auth ID and token, the Auth ID also in the path; 202 when queued.
    static let plivo = GatewayPreset(
        name: "plivo", required: ["AUTH_ID", "AUTH_TOKEN", "FROM"], optional: [], secrets: ["AUTH_TOKEN"],
        baseURL: "https://api.plivo.com", path: "/v1/Account/{auth_id}/Message/", method: "POST", encoding: .json,
        body: #"{"src": "{from}", "dst": "{to_digits}", "text": "{text}"}"#, headers: [], basicAuth: ("{auth_id}", "{auth_token}"),
        success: nil, refusals: [])

    /// Sinch's SMS REST API (developers.sinch.com/docs/sms): a batch of one, to the region's host (us by default;
    /// OTP_SINCH_BASE_URL for eu, au, br, ca), with the API token as a bearer token; 201 when accepted.
    static let sinch = GatewayPreset(
        name: "sinch", required: ["SERVICE_PLAN_ID", "API_TOKEN", "FROM"], optional: [], secrets: ["API_TOKEN"],
        baseURL: "https://us.sms.api.sinch.com", path: "/xms/v1/{service_plan_id}/batches", method: "POST", encoding: .json,
        body: #"{"from": "{from}", "to": ["{to}"], "body": "{text}"}"#, headers: ["Authorization: Bearer {api_token}"], basicAuth: nil,
        success: nil, refusals: [])

    /// Infobip's SMS API (infobip.com/docs/api): the account's own base URL (OTP_INFOBIP_BASE_URL, as
    /// `https://xxxxx.api.infobip.com`), `Authorization: App <key>`; it answers 200 for a rejected message too, so
    /// the first message's status group must be PENDING.
    static let infobip = GatewayPreset(
        name: "infobip", required: ["API_KEY", "FROM"], optional: [], secrets: ["API_KEY"],
        baseURL: "https://api.infobip.com", path: "/sms/2/text/advanced", method: "POST", encoding: .json,
        body: #"{"messages": [{"destinations": [{"to": "{to_digits}"}], "from": "{from}", "text": "{text}"}]}"#,
        headers: ["Authorization: App {api_key}"], basicAuth: nil, success: "messages.0.status.groupName=PENDING", refusals: [])

    /// Telnyx's Messaging API v2 (developers.telnyx.com/docs/messaging): JSON with from, to (E.164) and text, the API
    /// key as a bearer token. Error 40310 is "Invalid 'to' address".
    static let telnyx = GatewayPreset(
        name: "telnyx", required: ["API_KEY", "FROM"], optional: [], secrets: ["API_KEY"],
        baseURL: "https://api.telnyx.com", path: "/v2/messages", method: "POST", encoding: .json,
        body: #"{"from": "{from}", "to": "{to}", "text": "{text}"}"#, headers: ["Authorization: Bearer {api_key}"], basicAuth: nil,
        success: nil, refusals: [(400...499, "errors.0.code=40310", "The phone number is not valid")])

    /// Kannel's smsbox `sendsms` (kannel.org userguide, "Using the HTTP interface to send SMS messages"): a GET with
    /// a sendsms-user's name and password in the query; UTF-8 text, sent as GSM-7 (coding 0) or UCS-2 (coding 2). 202 "0:
    /// Accepted for delivery" when taken. On this machine by default (smsbox's sendsms-port 13013).
    static let kannel = GatewayPreset(
        name: "kannel", required: ["USER", "PASSWORD"], optional: [("FROM", "")], secrets: ["PASSWORD"],
        baseURL: "http://127.0.0.1:13013", path: "/cgi-bin/sendsms", method: "GET", encoding: .query,
        body: "username={user}&password={password}&from={from}&to={to}&text={text}&charset=UTF-8&coding={coding}", headers: [],
        basicAuth: nil, success: nil, refusals: [], coding: ("coding", "0", "2"))

    /// Jasmin's HTTP API (docs.jasminsms.com, "HTTP API"): a POST of username, password, to and content to `/send`
    /// on port 1401, as GSM-7 (Jasmin's UCS-2 wants the text as UTF-16 bytes: use the generic gateway for that); 200 `Success "<message id>"` when taken, 400 `Error "..."` or 403 otherwise.
    static let jasmin = GatewayPreset(
        name: "jasmin", required: ["USER", "PASSWORD"], optional: [("FROM", "")], secrets: ["PASSWORD"],
        baseURL: "http://127.0.0.1:1401", path: "/send", method: "POST", encoding: .form,
        body: "username={user}&password={password}&from={from}&to={to}&content={text}", headers: [], basicAuth: nil,
        success: nil, refusals: [])
}
