// SMS and WhatsApp through Twilio's Messages API, over curl; Twilio's answer decides between a 400 and a 500.
import OTP
import Platform

struct TwilioSender: Sender {
    let accountSID: String
    let authToken: String
    /// A phone number, an alphanumeric sender ID, or a Messaging Service SID (`MG` and 32 hex digits).
    let sender: String
    let channel: Channel
    let delivery: DeliverySettings

    /// Nil unless all three settings of the account are there.
    init?(account: TwilioAccount, channel: Channel, delivery: DeliverySettings) {
        guard let sid = account.accountSID, let token = account.authToken, let sender = account.sender else { return nil }
        (accountSID, authToken, self.sender, self.channel, self.delivery) = (sid, token, sender, channel, delivery)
    }

    /// The token travels as curl's `user` in the config on fd 3; curl sends the form from stdin.
    func send(_ message: OutgoingMessage) throws(DeliveryFault) {
        let options: [(String, String?)] = [
            ("url", "\(delivery.twilioBaseURL)/2010-04-01/Accounts/\(accountSID)/Messages.json"), ("proto", "=https"),
            ("user", "\(accountSID):\(authToken)"), ("data-binary", "@-"),
        ]
        let content = template(for: message)
        let form = form(to: message.recipient.value, body: message.text, content: content.map { ($0.sid, message.code) })
        let (status, body) = try Curl(delivery, timeoutSeconds: delivery.twilioTimeoutSeconds).request(options, input: Array(form.utf8), provider: "Twilio")
        try Self.check(ProviderReply(status: status, body: body), channel: channel, template: content?.setting)
    }

    /// On WhatsApp, the approved content template for the message's locale, if the operator has one.
    func template(for message: OutgoingMessage) -> (sid: String, setting: String)? {
        guard channel == .whatsapp else { return nil }
        return delivery.whatsappContent.sid(for: message.locale ?? delivery.messages.defaultLocale, defaultLocale: delivery.messages.defaultLocale)
    }

    /// The fields Twilio documents for sending, with `whatsapp:` before both addresses on that channel. With a
    /// content template: `ContentSid` and `ContentVariables` (a JSON object whose "1" is the code: the
    /// `whatsapp/authentication` type takes the code as its single variable) and no `Body`, which Twilio says to
    /// leave out (twilio.com/docs/api/errors/63016).
    func form(to recipient: String, body: String, content: (sid: String, code: String)? = nil) -> String {
        let address = { (number: String) in
            self.channel == .whatsapp && !number.hasPrefix("whatsapp:") ? "whatsapp:" + number : number
        }
        let isService = sender.count == 34 && sender.hasPrefix("MG") && sender.utf8.dropFirst(2).allSatisfy { ASCII.hexValue($0) != nil }
        // The code is digits only, so it needs no JSON escape.
        let text: [(String, String)] = content.map { [("ContentSid", $0.sid), ("ContentVariables", #"{"1":"\#($0.code)"}"#)] }
            ?? [("Body", body)]
        return Self.formEncoded([("To", address(recipient)), isService ? ("MessagingServiceSid", sender) : ("From", address(sender))] + text)
    }

    /// application/x-www-form-urlencoded, as FormEncoding writes it.
    static func formEncoded(_ fields: [(String, String)]) -> String { FormEncoding.fields(fields) }

    /// 2xx is success. Errors about the recipient are the asker's to fix (another number), so they are a 400
    /// with a plain detail; anything else (credentials, rate limits, templates, Twilio's own failures) is our
    /// 500, whose log line names Twilio's code and the setting to fix but never the token or the number.
    /// `template` names the content SID's setting, nil for a free-form `Body`.
    static func check(_ reply: ProviderReply, channel: Channel, template: String? = nil) throws(DeliveryFault) {
        guard !reply.isSuccess else { return }
        let code = reply.errorCode, status = reply.status
        if let code, let detail = refusal(code, channel: channel) { throw DeliveryFault(refused: detail) }
        let hint = switch (code, status) {
        case (20003, _), (_, 401): " (authentication failed: check the account SID and auth token)"
        case (20429, _), (_, 429): " (too many requests)"
        case (21606, _), (63007, _): " (the sender cannot send on this channel)"
        // Outside the 24-hour window WhatsApp takes only an approved template.
        case (63016, _) where template == nil:
            " (outside WhatsApp's 24-hour window a free-form message is refused: production needs an approved WhatsApp "
                + "authentication template; set \(TwilioContentSIDs.settingName) to its content SID, HX...)"
        case (63016, _): " (outside WhatsApp's 24-hour window: \(template!) is not an approved WhatsApp template)"
        case (63027, _):
            " (the content template \(template ?? TwilioContentSIDs.settingName) names does not exist or is not approved in this language)"
        case (63028, _): " (the content template \(template ?? TwilioContentSIDs.settingName) names does not take one variable: "
            + "it must be a whatsapp/authentication template)"
        case (_, 500...599): " (Twilio is failing; try again later)"
        default: ""
        }
        throw DeliveryFault("Twilio answered HTTP \(status)\(code.map { ", error \($0)" } ?? "")\(hint)")
    }

    /// Twilio's errors (twilio.com/docs/api/errors) that mean this number cannot be reached this way.
    static func refusal(_ code: Int, channel: Channel) -> String? {
        let medium = channel == .whatsapp ? "WhatsApp messages" : "SMS"
        switch code {
        case 21211: return "The phone number is not valid"
        // 63003: "Channel could not find To address"; 63024: "Invalid message recipient", WhatsApp's 1026 and
        // 1002 (twilio.com/docs/whatsapp/api/error-code-mapping).
        case 21612, 21614, 21635, 63003, 63024: return "The phone number cannot receive \(medium)"
        case 21408: return "Sending \(medium) to this phone number's country is not enabled"
        case 21610: return "The phone number has opted out of \(medium) from this sender"
        default: return nil
        }
    }
}
