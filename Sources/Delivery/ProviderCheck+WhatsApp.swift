// What `generate --check` says about WhatsApp's providers: the approved template a production send needs.
import OTP

extension Senders {
    /// WhatsApp delivers a code from a business only as an approved template, so Twilio sending free-form text
    /// works in its sandbox and nowhere else: that is said plainly. Whether WhatsApp approved a content template
    /// no read here can tell.
    static func whatsappTemplates(_ content: TwilioContentSIDs, label: String) -> [ProviderCheck] {
        guard let fallback = content.fallback else {
            return [.note("\(label): no \(TwilioContentSIDs.settingName), so Twilio sends each code as free-form text, which WhatsApp "
                + "delivers only within 24 hours of the user's own message to you (Twilio's sandbox); production needs an approved "
                + "WhatsApp authentication template: create one in Twilio's Content Template Builder and set "
                + "\(TwilioContentSIDs.settingName) to its SID (HX...)")]
        }
        let others = content.byLocale.keys.map(\.description).sorted()
        return [.ok("\(label): Twilio sends the content template \(fallback)" + (others.isEmpty ? "" : ", and its own to \(others.joined(separator: ", "))")),
                .note("\(label): this check cannot tell whether WhatsApp approved those content templates: see Twilio's Console > "
                    + "Messaging > Content Template Builder, where each must be an approved whatsapp/authentication template")]
    }

    /// The phone number ID and the token tried with a read-only call; the template's approval per language is
    /// read through the WhatsApp Business Account, whose ID no send needs, so it is left to WhatsApp Manager.
    static func cloudAPI(_ cloud: CloudAPISender, label: String) -> [ProviderCheck] {
        let account = cloud.account
        let note = ProviderCheck.note("\(label): this check cannot tell whether WA_CLOUD_TEMPLATE \(account.template!) is approved in "
            + "\(account.languages.joined(separator: ", ")): see WhatsApp Manager > Message templates")
        switch CloudAPIProbe.phoneNumber(cloud.delivery) {
        case .success(let number):
            return [.ok("\(label): the Cloud API accepts WA_CLOUD_PHONE_NUMBER_ID \(account.phoneNumberID!) (\(number)) and its token"), note]
        case .failure(let fault):
            return [.problem("\(label): \(fault.description)", fix: "correct the setting it names; the README's WhatsApp section says where each comes from"),
                    note]
        }
    }
}
