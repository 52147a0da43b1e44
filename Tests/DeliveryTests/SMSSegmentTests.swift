// SMS segments as carriers count them: GSM-7 septets (extension characters cost two) or UCS-2 units.
import Testing
@testable import Delivery
@testable import OTP

@Suite struct SMSSegmentTests {
    @Test(arguments: [
        (String(repeating: "a", count: 160), "GSM-7", 160, 1),
        (String(repeating: "a", count: 161), "GSM-7", 161, 2),
        (String(repeating: "a", count: 306), "GSM-7", 306, 2),
        (String(repeating: "a", count: 307), "GSM-7", 307, 3),
        (String(repeating: "€", count: 80), "GSM-7", 160, 1),
        // 76 euros fill 152 septets; the 77th does not split across parts, so 81 take two parts (152 + 10).
        (String(repeating: "€", count: 81), "GSM-7", 162, 2),
        (String(repeating: "a", count: 159) + "{", "GSM-7", 161, 2),
        // 306 septets would fit two parts of 153, but the escape pair at 153-154 moves whole to the second.
        (String(repeating: "a", count: 152) + "{" + String(repeating: "a", count: 152), "GSM-7", 306, 3),
        ("Ihr Bestätigungscode: Ø é ß Δ ¿ ¡ £ ¥ § @ $ _", "GSM-7", 45, 1),
        ("^{}\\[~]|\u{0C}", "GSM-7", 18, 1),
        (String(repeating: "д", count: 70), "UCS-2", 70, 1),
        (String(repeating: "д", count: 71), "UCS-2", 71, 2),
        (String(repeating: "д", count: 134), "UCS-2", 134, 2),
        (String(repeating: "д", count: 135), "UCS-2", 135, 3),
        (String(repeating: "😀", count: 35), "UCS-2", 70, 1),
        // 33 emoji fill 66 of a part's 67 units; a pair is never split, so 36 take two parts.
        (String(repeating: "😀", count: 36), "UCS-2", 72, 2),
        (String(repeating: "a", count: 66) + "😀" + "😀", "UCS-2", 70, 1),
        (String(repeating: "a", count: 66) + "😀" + String(repeating: "a", count: 3), "UCS-2", 71, 2),
        (String(repeating: "a", count: 159) + "ç", "UCS-2", 160, 3),
        ("`", "UCS-2", 1, 1), ("tab\there", "UCS-2", 8, 1), ("código", "UCS-2", 6, 1), ("Ç", "GSM-7", 1, 1),
    ])
    func segmentsAreCountedAsCarriersCountThem(text: String, encoding: String, units: Int, count: Int) {
        let segments = SMSSegments(text)
        #expect(segments.encoding.rawValue == encoding)
        #expect(segments.units == units)
        #expect(segments.count == count)
    }

    @Test func theDescriptionNamesTheCountAndTheEncoding() {
        #expect(SMSSegments(String(repeating: "д", count: 71)).description == "2 SMS segments (UCS-2, 71 UTF-16 units)")
        #expect(SMSSegments("ok").description == "1 SMS segment (GSM-7, 2 septets)")
    }
}
