// The default email subject, email text and SMS text in every built-in language, compiled into the executables.
import OTP

/// Written for this project; each says what the English default says, with only `{code}` filled in, so that no
/// language needs plural rules for `{minutes}`. An SMS text is the shorter "Verification code: {code}" where the
/// language needs UCS-2 (one SMS is then 70 units, not 160), so that each, with a ten-digit code and a WebOTP
/// line for a 20-character domain, still fits one SMS (BuiltInMessagesTests).
/// A `switch` over literals: a request pays for its own language only, with no table built at start-up.
public struct BuiltInMessages: Sendable {
    public let emailSubject: String
    public let emailText: String
    public let smsText: String

    /// Every built-in locale, for the tests and the self-check.
    public static let locales = ["en", "es", "fr", "de", "it", "pt", "pt-BR", "nl", "pl", "tr", "ru", "ar", "zh", "ja", "hi", "id"]

    /// The exact tag only; callers walk the truncations.
    public static func messages(for tag: LanguageTag) -> BuiltInMessages? {
        switch tag.description {
        case "en": .init("Your verification code", "Your OTP code is: {code}", "Your OTP code is: {code}")
        case "es": .init("Tu código de verificación", "Tu código de verificación es: {code}", "Código de verificación: {code}")
        case "fr": .init("Votre code de vérification", "Votre code de vérification est : {code}", "Votre code de vérification est : {code}")
        case "de": .init("Ihr Bestätigungscode", "Ihr Bestätigungscode lautet: {code}", "Ihr Bestätigungscode lautet: {code}")
        case "it": .init("Il tuo codice di verifica", "Il tuo codice di verifica è: {code}", "Il tuo codice di verifica è: {code}")
        case "pt": .init("O seu código de verificação", "O seu código de verificação é: {code}", "Código de verificação: {code}")
        case "pt-BR": .init("Seu código de verificação", "Seu código de verificação é: {code}", "Código de verificação: {code}")
        case "nl": .init("Je verificatiecode", "Je verificatiecode is: {code}", "Je verificatiecode is: {code}")
        case "pl": .init("Twój kod weryfikacyjny", "Twój kod weryfikacyjny to: {code}", "Kod weryfikacyjny: {code}")
        case "tr": .init("Doğrulama kodunuz", "Doğrulama kodunuz: {code}", "Doğrulama kodunuz: {code}")
        case "ru": .init("Ваш код подтверждения", "Ваш код подтверждения: {code}", "Ваш код подтверждения: {code}")
        case "ar": .init("رمز التحقق الخاص بك", "رمز التحقق الخاص بك هو: {code}", "رمز التحقق الخاص بك هو: {code}")
        case "zh": .init("您的验证码", "您的验证码是：{code}", "您的验证码是：{code}")
        case "ja": .init("認証コードのお知らせ", "認証コードは {code} です。", "認証コードは {code} です。")
        case "hi": .init("आपका सत्यापन कोड", "आपका सत्यापन कोड है: {code}", "आपका सत्यापन कोड है: {code}")
        case "id": .init("Kode verifikasi Anda", "Kode verifikasi Anda adalah: {code}", "Kode verifikasi Anda adalah: {code}")
        default: nil
        }
    }

    private init(_ emailSubject: String, _ emailText: String, _ smsText: String) {
        (self.emailSubject, self.emailText, self.smsText) = (emailSubject, emailText, smsText)
    }
}
