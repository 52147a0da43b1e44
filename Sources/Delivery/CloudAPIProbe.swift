// For `--check`: whether the Cloud API accepts the phone number ID and the token, without sending anything.
import OTP

/// A read-only `GET /<PHONE_NUMBER_ID>?fields=display_phone_number,verified_name` with the token, as a send
/// would make it (the WhatsApp Business Phone Number node of the Graph API reference,
/// developers.facebook.com/docs/graph-api/reference/whats-app-business-phone-number).
/// Whether the template is approved in each language it cannot tell: that is read through the WhatsApp Business
/// Account, whose ID no send needs.
public enum CloudAPIProbe {
    /// The number and its verified name, or what went wrong with the setting to fix.
    public static func phoneNumber(_ settings: DeliverySettings) -> Result<String, DeliveryFault> {
        let account = settings.cloud
        do throws(DeliveryFault) {
            let token = try account.token()
            let options: [(String, String?)] = [
                ("url", "\(account.baseURL)/\(account.phoneNumberID!)?fields=display_phone_number,verified_name"), ("proto", "=https"),
                ("header", "Authorization: Bearer \(token)"),
            ]
            let (status, body) = try Curl(settings, timeoutSeconds: account.timeoutSeconds).request(options, input: [], provider: "WhatsApp Cloud API")
            let reply = ProviderReply(status: status, body: body)
            try CloudAPISender.check(reply, language: nil)
            let number = reply.string("display_phone_number") ?? "?", name = reply.string("verified_name") ?? "?"
            return .success("\(number) (\(name))")
        } catch {
            return .failure(error)
        }
    }
}
