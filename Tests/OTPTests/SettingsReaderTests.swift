// The reader every layer parses its settings with: lists, names, and what a request may never set.
import Testing
@testable import OTP

@Suite struct SettingsReaderTests {
    /// As `Character`s, a comma followed by a combining mark is one character that is no comma, and two items would
    /// read as one; the servers and the check read bytes.
    @Test func aListSplitsAtACommaFollowedByACombiningMark() throws {
        let reader = SettingsReader(env: ["OTP_ALLOWED_ORIGINS": "https://a.example,\u{301}https://b.example  https://c.example"])
        let items = try reader.list("OTP_ALLOWED_ORIGINS") { (item: String) throws(OTPError) -> String in item }
        #expect(items == ["https://a.example", "\u{301}https://b.example", "https://c.example"])
    }

    @Test func settingNamesAndLocalResourcesAreToldByTheirBytes() {
        #expect(SettingsReader.isSettingName("OTP_CODE_LENGTH") && SettingsReader.isSettingName("DEFAULT_FROM_EMAIL"))
        #expect(!SettingsReader.isSettingName("HTTP_OTP_CODE_LENGTH") && !SettingsReader.isSettingName("OTP"))
        #expect(SettingsReader.namesLocalResource("OTP_STORE_DIR") && !SettingsReader.namesLocalResource("OTP_DIR_MODE"))
    }
}
