// What the localized tests read messages with: Python's email package, and the built-in texts they must carry.
import Foundation
import Delivery
import OTP
import Testing
import TestSupport

/// One email as Python's `email` package parsed it (Tests/Fakes/mail_parts.py).
struct ParsedMail {
    let subject: String
    let subjectLines: [String]
    let to: String
    let contentType: String
    let parts: [(contentType: String, charset: String?, transferEncoding: String?, text: String?)]
    let problems: [String]

    /// Parses every file with one Python process.
    static func parse(_ files: [URL]) throws -> [ParsedMail] {
        let output = try DeliveryTools.run("/usr/bin/env", ["python3", Project.root.appendingPathComponent("Tests/Fakes/mail_parts.py").path]
                                                           + files.map(\.path))
        let list = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
        return list.map { item in
            let parts = (item["parts"] as? [[String: Any]] ?? []).map {
                ($0["content_type"] as? String ?? "", $0["charset"] as? String, $0["transfer_encoding"] as? String, $0["text"] as? String)
            }
            var problems = (item["defects"] as? [String] ?? []).map { "defect \($0)" }
            problems += (item["parts"] as? [[String: Any]] ?? []).compactMap { $0["problem"] as? String }
            if item["ascii_head"] as? Bool != true { problems.append("a header that is not ASCII") }
            if let bad = item["bad_lines"] as? [Int], !bad.isEmpty { problems.append("lines over 998 octets or without CRLF: \(bad)") }
            return ParsedMail(subject: item["subject"] as? String ?? "", subjectLines: item["subject_lines"] as? [String] ?? [],
                              to: item["to"] as? String ?? "", contentType: item["content_type"] as? String ?? "", parts: parts,
                              problems: problems)
        }
    }

    /// The one text/plain part's text.
    var text: String? { parts.first { $0.contentType == "text/plain" }?.text }
    var html: String? { parts.first { $0.contentType == "text/html" }?.text }

    /// Every part UTF-8, each header line within 78 columns, no defect.
    func expectWellFormed(_ comment: Comment? = nil) {
        #expect(problems == [], comment)
        #expect(parts.allSatisfy { $0.charset == "utf-8" }, comment)
        #expect(parts.allSatisfy { ["7bit", "base64"].contains($0.transferEncoding ?? "") }, comment)
        #expect(subjectLines.allSatisfy { $0.utf8.count <= 78 }, comment)
        let ascii = subject.unicodeScalars.allSatisfy(\.isASCII)
        #expect(ascii || subjectLines.first?.hasPrefix("Subject: =?utf-8?b?") == true, "RFC 2047: \(subjectLines)")
    }
}

enum BuiltIn {
    static let locales = BuiltInMessages.locales

    /// The built-in text of `locale` with `code` filled in, as every channel must carry it.
    static func text(_ locale: String, _ part: KeyPath<BuiltInMessages, String>, code: String) throws -> String {
        let tag = try #require(LanguageTag(locale))
        let messages = try #require(BuiltInMessages.messages(for: tag))
        return try MessageTemplate(messages[keyPath: part], origin: locale, requiringCode: part != \.emailSubject)
            .render(.init(code: code, minutes: "5", site: ""))
    }

    /// The code in a localized message: its runs of digits of the code's length, all the same (an SMS's WebOTP line
    /// repeats it).
    static func code(in text: String, length: Int = 6) throws -> String {
        let runs = text.split { !$0.isASCII || !$0.isNumber }.filter { $0.count == length }
        try #require(!runs.isEmpty && Set(runs).count == 1, "one \(length)-digit code in: \(text)")
        return String(runs[0])
    }
}

/// A template directory for one test: `files` maps `LOCALE/NAME` to its text.
func templateDirectory(in site: Site, _ files: [String: String]) throws -> String {
    let root = site.directory.appendingPathComponent("templates")
    for (path, text) in files {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    return root.path
}
