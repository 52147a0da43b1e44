// `generate --check` for WhatsApp: the templates a production send needs, and what can be checked without sending.
import Delivery
import OTP

extension SelfCheck {
    /// WhatsApp delivers a code from a business only as an approved template, so a setup that sends free-form text
    /// works in Twilio's sandbox and nowhere else: that is said plainly. The Cloud API's number and token are
    /// tried with a read-only call; whether a template is approved in a language no call here can tell.
    mutating func whatsapp(_ delivery: DeliverySettings) {
        if delivery.whatsapp.missing.isEmpty {
            let content = delivery.whatsappContent
            if let fallback = content.fallback {
                let others = content.byLocale.keys.map(\.description).sorted()
                ok("WhatsApp: Twilio sends the content template \(fallback)"
                    + (others.isEmpty ? "" : ", and its own to \(others.joined(separator: ", "))"))
                note("WhatsApp: this check cannot tell whether WhatsApp approved those content templates: see Twilio's Console > "
                    + "Messaging > Content Template Builder, where each must be an approved whatsapp/authentication template")
            } else {
                note("WhatsApp: no \(TwilioContentSIDs.settingName), so Twilio sends each code as free-form text, which WhatsApp "
                    + "delivers only within 24 hours of the user's own message to you (Twilio's sandbox); production needs an approved "
                    + "WhatsApp authentication template: create one in Twilio's Content Template Builder and set "
                    + "\(TwilioContentSIDs.settingName) to its SID (HX...)")
            }
        }
        let cloud = delivery.cloud
        if cloud.isConfigured {
            switch CloudAPIProbe.phoneNumber(delivery) {
            case .success(let number):
                ok("WhatsApp: the Cloud API accepts WA_CLOUD_PHONE_NUMBER_ID \(cloud.phoneNumberID!) (\(number)) and its token")
            case .failure(let fault):
                problem("WhatsApp: \(fault.description)", fix: "correct the setting it names; the README's WhatsApp section says where each comes from")
            }
            note("WhatsApp: this check cannot tell whether WA_CLOUD_TEMPLATE \(cloud.template!) is approved in "
                + "\(cloud.languages.joined(separator: ", ")): see WhatsApp Manager > Message templates")
        } else if !cloud.isUnset {
            problem("WhatsApp: the Cloud API is set up in part: \(cloud.missing.joined(separator: ", ")) missing",
                    fix: "set the missing settings, or none of them")
        }
    }
}
