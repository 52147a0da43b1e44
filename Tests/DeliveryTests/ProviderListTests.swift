// SMS_PROVIDERS, WA_PROVIDERS and OTP_PROVIDER_PAUSE_SECONDS: which providers serve, in what order.
import Testing
import TestSupport
@testable import Delivery
import OTP

@Suite struct ProviderListTests {
    let twilio = ["SMS_TWILIO_ACCOUNT_SID": "AC1", "SMS_TWILIO_AUTH_TOKEN": "t", "SMS_TWILIO_SENDER": "+15005550006"]

    @Test func theOneConfiguredProviderServesAloneWithoutPauseLookups() throws {
        let settings = try deliverySettings(twilio)
        let pauses = MemoryProviderPauses()
        #expect(try Senders.sender(for: .sms, settings: settings, pauses: pauses, log: { _ in }) is TwilioSender)
        #expect(pauses.lookups == 0)
    }

    @Test(arguments: [
        (["SMS_PROVIDERS": "twilio, sendgrid"], "SMS_PROVIDERS: no provider named sendgrid (known: \(PhoneProviders.smsNames.joined(separator: ", ")))"),
        (["SMS_PROVIDERS": "twilio twilio"], "SMS_PROVIDERS names a provider twice"),
        (["WA_PROVIDERS": "twilio"], "WA_PROVIDERS lists twilio, but WA_TWILIO_ACCOUNT_SID, WA_TWILIO_AUTH_TOKEN, WA_TWILIO_SENDER are not set"),
        (["OTP_PROVIDER_PAUSE_SECONDS": "0"], "OTP_PROVIDER_PAUSE_SECONDS must be a whole number from 1 to 3600"),
    ])
    func aListThatCannotBeFollowedIsAMisconfiguration(extra: [String: String], message: String) {
        #expect(throws: OTPError.misconfigured(message)) { try deliverySettings(twilio.merging(extra) { $1 }) }
    }

    @Test func theListIsReadInOrderAndThePauseHasItsDefault() throws {
        let settings = try deliverySettings(twilio.merging(["SMS_PROVIDERS": " twilio,", "OTP_PROVIDER_PAUSE_SECONDS": "300"]) { $1 })
        #expect(settings.smsProviders == ["twilio"])
        #expect(settings.providerPauseSeconds == 300)
        #expect(try deliverySettings([:]).providerPauseSeconds == 60)
    }
}
