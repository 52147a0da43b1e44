// Codes: CSPRNG digits of the configured length, uniform over every value.
import Testing
@testable import OTP

@Suite struct CodeTests {
    @Test(arguments: [4, 6, 8, 10])
    func codesHaveTheRequestedNumberOfASCIIDigits(length: Int) {
        for _ in 0..<200 {
            let code = Code.random(length: length)
            #expect(code.utf8.count == length && code.utf8.allSatisfy { (0x30...0x39).contains($0) })
        }
    }

    /// Every digit in every position appears, leading zeros included; bounds are 10+ standard deviations wide.
    @Test func digitsAreSpreadOverAllValues() {
        var counts = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 4)
        for _ in 0..<20_000 {
            for (position, digit) in Code.random(length: 4).utf8.enumerated() { counts[position][Int(digit - 0x30)] += 1 }
        }
        for position in counts { for count in position { #expect((1_500...2_500).contains(count)) } }
    }
}
