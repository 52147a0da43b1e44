// The settings of what messages say: the default locale, the operator's texts and template folder, the SMS budget.
import OTP

public struct MessageSettings: Sendable {
    public var defaultLocale = LanguageTag.english
    /// The operator's texts for the default locale; nil where the built-in text serves.
    public var emailSubject: String?
    public var emailTemplate: String?
    public var smsTemplate: String?
    public var templateDirectory: String?
    public var siteName: String?
    public var maxSMSSegments = 1

    public init() {}

    /// The three texts are parsed here, so a bad one is named by every request, not only by those that use it.
    public init(_ reader: SettingsReader) throws(OTPError) {
        if let text = reader.string("OTP_DEFAULT_LOCALE") {
            guard let tag = LanguageTag(text) else { throw .misconfigured("OTP_DEFAULT_LOCALE must be a BCP 47 language tag such as pt-BR") }
            defaultLocale = tag
        }
        emailSubject = try reader.headerText("OTP_EMAIL_SUBJECT")
        emailTemplate = reader.string("OTP_EMAIL_TEMPLATE")
        smsTemplate = reader.string("OTP_SMS_TEMPLATE")
        do throws(TemplateFault) {
            if let emailSubject { _ = try MessageTemplate(emailSubject, origin: "OTP_EMAIL_SUBJECT", requiringCode: false) }
            if let emailTemplate { _ = try MessageTemplate(emailTemplate, origin: "OTP_EMAIL_TEMPLATE") }
            if let smsTemplate { _ = try MessageTemplate(smsTemplate, origin: "OTP_SMS_TEMPLATE") }
        } catch {
            throw .misconfigured(error.description)
        }
        templateDirectory = try reader.absolutePath("OTP_TEMPLATE_DIR")
        siteName = try reader.headerText("OTP_SITE_NAME")
        maxSMSSegments = try reader.integer("OTP_SMS_MAX_SEGMENTS", default: maxSMSSegments, in: 1...10)
    }
}
