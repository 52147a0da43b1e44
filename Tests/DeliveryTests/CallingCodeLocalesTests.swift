// The language a phone's message is most likely read in, from its country calling code.
import Testing
@testable import Delivery

@Suite struct CallingCodeLocalesTests {
    @Test(arguments: [
        ("+14155552671", "en"), ("+447911123456", "en-GB"), ("+5511987654321", "pt-BR"), ("+351912345678", "pt-PT"),
        ("+79123456789", "ru"), ("+966501234567", "ar-SA"), ("+8613800138000", "zh-CN"), ("+819012345678", "ja-JP"),
        ("+4915123456789", "de-DE"), ("+33612345678", "fr-FR"), ("+525512345678", "es-MX"), ("+201001234567", "ar-EG"),
    ])
    func theCallingCodeNamesACountrysLanguage(phone: String, tag: String) {
        #expect(CallingCodeLocales.tag(for: phone)?.description == tag)
    }

    @Test(arguments: ["+41791234567", "+32470123456", "+919812345678", "+886912345678", "+3"])
    func aCountryWithoutOneClearBuiltInLanguageHasNone(phone: String) {
        #expect(CallingCodeLocales.tag(for: phone) == nil)
    }
}
