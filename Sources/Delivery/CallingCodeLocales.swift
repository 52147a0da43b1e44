// The language an SMS or WhatsApp message is most likely read in, from the phone number's country calling code.
import OTP
import Platform

/// Only where one of the built-in languages is the country's clear majority language: a country with two
/// (Belgium, Switzerland, Canada shares +1 with the US, India) gets the default locale rather than a guess.
/// A country is named by its region (`pt-BR`, `es-MX`) so that an operator's region templates are found
/// first; the built-in text then comes from the language by truncation.
enum CallingCodeLocales {
    /// `e164` is a normalised number (`+` and digits). Calling codes are prefix-free (ITU-T E.164), so the
    /// first of the three lengths that names a country is the one.
    static func tag(for e164: String) -> LanguageTag? {
        var digits = 0, value = 0
        for byte in e164.utf8.dropFirst() {
            guard digits < 3, ASCII.isDigit(byte) else { break }
            value = value * 10 + Int(byte - 0x30)
            digits += 1
            if let tag = name(digits, value) { return LanguageTag(tag) }
        }
        return nil
    }

    private static func name(_ length: Int, _ code: Int) -> String? {
        switch (length, code) {
        case (1, 1): "en"
        case (1, 7): "ru"
        case (2, 20): "ar-EG"
        case (2, 31): "nl-NL"
        case (2, 33): "fr-FR"
        case (2, 34): "es-ES"
        case (2, 39): "it-IT"
        case (2, 43): "de-AT"
        case (2, 44): "en-GB"
        case (2, 48): "pl-PL"
        case (2, 49): "de-DE"
        case (2, 51): "es-PE"
        case (2, 52): "es-MX"
        case (2, 53): "es-CU"
        case (2, 54): "es-AR"
        case (2, 55): "pt-BR"
        case (2, 56): "es-CL"
        case (2, 57): "es-CO"
        case (2, 58): "es-VE"
        case (2, 61): "en-AU"
        case (2, 62): "id-ID"
        case (2, 64): "en-NZ"
        case (2, 81): "ja-JP"
        case (2, 86): "zh-CN"
        case (2, 90): "tr-TR"
        case (3, 212): "ar-MA"
        case (3, 213): "ar-DZ"
        case (3, 216): "ar-TN"
        case (3, 218): "ar-LY"
        case (3, 221): "fr-SN"
        case (3, 223): "fr-ML"
        case (3, 225): "fr-CI"
        case (3, 226): "fr-BF"
        case (3, 227): "fr-NE"
        case (3, 228): "fr-TG"
        case (3, 229): "fr-BJ"
        case (3, 241): "fr-GA"
        case (3, 242): "fr-CG"
        case (3, 243): "fr-CD"
        case (3, 244): "pt-AO"
        case (3, 249): "ar-SD"
        case (3, 258): "pt-MZ"
        case (3, 351): "pt-PT"
        case (3, 353): "en-IE"
        case (3, 375): "ru-BY"
        case (3, 377): "fr-MC"
        case (3, 378): "it-SM"
        case (3, 502): "es-GT"
        case (3, 503): "es-SV"
        case (3, 504): "es-HN"
        case (3, 505): "es-NI"
        case (3, 506): "es-CR"
        case (3, 507): "es-PA"
        case (3, 591): "es-BO"
        case (3, 593): "es-EC"
        case (3, 595): "es-PY"
        case (3, 597): "nl-SR"
        case (3, 598): "es-UY"
        case (3, 962): "ar-JO"
        case (3, 963): "ar-SY"
        case (3, 964): "ar-IQ"
        case (3, 965): "ar-KW"
        case (3, 966): "ar-SA"
        case (3, 967): "ar-YE"
        case (3, 968): "ar-OM"
        case (3, 970): "ar-PS"
        case (3, 971): "ar-AE"
        case (3, 973): "ar-BH"
        case (3, 974): "ar-QA"
        default: nil
        }
    }
}
