// The docs' settings tables against the code that reads the settings: every whole-number setting's row gives the
// range its error message refers the reader to ("must be a whole number from 1 to 86400").
import Foundation
import Testing
import TestSupport

@Suite struct SettingsTableTests {
    /// `reader.integer("NAME", default: ..., in: A...B)` in the sources, each with its literal range.
    static func ranges() throws -> [(name: String, low: Int, high: Int)] {
        var found: [(String, Int, Int)] = []
        let sources = Project.root.appendingPathComponent("Sources")
        let pattern = try NSRegularExpression(pattern: #"integer\("([A-Z_]+)", default: [^,]+, in: ([0-9_]+)\.\.\.([0-9_]+)\)"#)
        for case let file as URL in FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)! where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                func group(_ i: Int) -> String { String(text[Range(match.range(at: i), in: text)!]) }
                found.append((group(1), Int(group(2).replacingOccurrences(of: "_", with: ""))!, Int(group(3).replacingOccurrences(of: "_", with: ""))!))
            }
        }
        return found
    }

    static func row(_ name: String) -> String? {
        README.text.components(separatedBy: "\n").first { $0.hasPrefix("| `\(name)` |") }
    }

    @Test func everyWholeNumberSettingsRowGivesItsRange() throws {
        let ranges = try Self.ranges()
        #expect(ranges.count >= 10, "the pattern no longer finds the settings: \(ranges)")
        func written(_ n: Int) -> String {
            let digits = String(n)
            guard n >= 10_000 else { return digits }
            var out = ""
            for (i, c) in digits.reversed().enumerated() { if i > 0 && i % 3 == 0 { out.append(",") }; out.append(c) }
            return String(out.reversed())
        }
        for (name, low, high) in ranges {
            let row = Self.row(name)
            #expect(row?.contains("\(written(low)) to \(written(high))") == true, "\(name): \(row ?? "no row")")
        }
    }
}
