// The libFuzzer entry point: every parser of untrusted input (bodies, CGI variables, headers, slots) on one input.
// Built by Tests/Fuzz/build.sh together with the parsing modules' sources as one module, so internal parsers are reachable.
#if canImport(Glibc)
import Glibc
#endif

/// The first byte picks the parser, the rest is its input; each checks what must hold, and traps otherwise.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 6 {
    case 0: body(input, contentType: "application/json")
    case 1: body(input, contentType: "application/x-www-form-urlencoded")
    case 2: cgiRequest(input)
    case 3: headers(String(decoding: input, as: UTF8.self))
    case 4: record(input)
    default: answer(String(decoding: input, as: UTF8.self))
    }
    return 0
}

/// Parsing, then the service's own validation of whatever fields came out; a value that validates is stable.
private func body(_ bytes: [UInt8], contentType: String) {
    guard let fields = try? RequestFields.parse(body: bytes, contentType: contentType) else { return }
    for channel in Channel.allCases {
        guard let raw = try? fields.string("identifier"), let identifier = try? Identifier(channel: channel, raw: raw) else { continue }
        let again = try? Identifier(channel: channel, raw: identifier.value)
        precondition(again?.value == identifier.value, "normalising is not idempotent")
        // On bytes: `Character`-level `contains` cannot see a "\n" or "@" that a combining mark follows.
        let bytes = Array(identifier.value.utf8)
        precondition(!bytes.contains { $0 < 0x20 || $0 == 0x7f }, "a control character got through")
        if channel == .email {
            precondition(bytes.filter { $0 == UInt8(ascii: "@") }.count == 1, "an email without exactly one @")
            precondition(!bytes.contains { "<>,;:\"()[]\\ ".utf8.contains($0) }, "a header-splitting byte in an email")
            let masked = Array(identifier.masked.utf8)
            precondition(masked.filter { $0 == UInt8(ascii: "@") }.count == 1, "a mask without exactly one @")
        } else {
            precondition(bytes.first == UInt8(ascii: "+") && bytes.dropFirst().allSatisfy(ASCII.isDigit), "a phone that is not E.164")
        }
        let line = StandardError.logLine("generate 200 to=\(identifier.masked)")
        precondition(line.dropLast().allSatisfy { $0 >= 0x20 && $0 != 0x7f } && line.last == 0x0a, "a log line with a control character")
    }
    if let raw = try? fields.string("code"), let code = try? Code.validate(raw, length: 6) {
        precondition(code.utf8.count == 6 && code.utf8.allSatisfy { (0x30...0x39).contains($0) }, "a code that is not 6 ASCII digits")
    }
}

/// CONTENT_LENGTH and the body on stdin, as CGI.request reads them: never more than the bound is read.
private func cgiRequest(_ bytes: [UInt8]) {
    let split = bytes.firstIndex(of: 0x0a) ?? bytes.endIndex
    let length = String(decoding: bytes[..<split], as: UTF8.self)
    let stdin = Array(bytes[min(split + 1, bytes.endIndex)...])
    let env = ["REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": length]
    let request = CGI.request(from: env) { count in
        precondition(count <= Request.maxDiscardBytes, "asked to read \(count) bytes")
        return Array(stdin.prefix(count))
    }
    precondition(request.body.count <= Request.maxBodyBytes, "a body over the limit was accepted")
    precondition(request.bodyFault == nil || request.body.isEmpty, "a refused body was kept")
}

/// Accept, Accept-Language and the locale field, Origin-like lists, X-Forwarded-For and addresses.
private func headers(_ text: String) {
    _ = HTMLPage.isPreferred(accept: text)
    // A tag names a template folder: whatever is accepted is letters, digits and single hyphens, and stays itself.
    if let tag = LanguageTag(text) {
        let bytes = Array(tag.description.utf8)
        precondition(bytes.count <= LanguageTag.maxLength && bytes.first != UInt8(ascii: "-") && bytes.last != UInt8(ascii: "-")
            && !tag.description.contains("--") && bytes.allSatisfy { ASCII.isAlphanumeric($0) || $0 == UInt8(ascii: "-") },
            "a tag that could name something else than a folder")
        precondition(LanguageTag(tag.description) == tag && tag.parent.map { LanguageTag($0.description) == $0 } ?? true, "a tag not canonical")
    }
    if let best = AcceptLanguage.best(text, available: { $0.description.utf8.count % 2 == 0 }) {
        precondition(LanguageTag(best.description) == best && best.description.utf8.count % 2 == 0, "a match the site does not have")
    }
    let ranges = text.split(separator: " ").compactMap { AddressRange(String($0)) }
    if let address = ClientAddress.resolve(remote: "127.0.0.1", forwardedFor: text, trusted: ranges + [AddressRange("127.0.0.1")!]) {
        precondition(address.bytes.count == 4 || address.bytes.count == 16, "an address of \(address.bytes.count) bytes")
        precondition(address.networks.count == (address.bytes.count == 4 ? 2 : 3), "networks of an address")
    }
    if let range = AddressRange(text) { precondition(range.contains(range.network), "a range without its own network") }
}

/// A table's slot and the value in it read back: a slot never traps, a whole slot yields its value, and whatever
/// decodes as a record, or as an event log in its narrow form, encodes to the same bytes.
private func record(_ bytes: [UInt8]) {
    let page = SlotBucket(bytes: Array(bytes.prefix(Slot.bucketSize)) + [UInt8](repeating: 0, count: max(0, Slot.bucketSize - bytes.count)))
    if page.intact(0) { _ = page.value(0) }
    if let record = Record(stored: bytes) { precondition(record.stored() == bytes, "a record that does not round-trip") }
    if let log = EventLog(stored: bytes), bytes.first == EventLog.kind { precondition(log.stored() == bytes, "an event log that does not round-trip") }
}

/// What is echoed back: JSON and HTML escaping leave nothing active, and our JSON reads back as it was meant.
private func answer(_ text: String) {
    let json = Response(status: 400, detail: text).json
    precondition(!json.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "&") },
                 "a raw control character, < > or & in JSON")
    let fields = try? JSONFields.parse(Array(json.utf8))
    precondition((try? fields?.string("detail")) == text, "the JSON answer does not read back")
    let escaped = HTMLEscaping.escape(text)
    precondition(!escaped.utf8.contains { "<>\"'".utf8.contains($0) }, "a raw < > \" or ' in HTML")
    let line = StandardError.logLine(text)
    precondition(line.dropLast().allSatisfy { $0 >= 0x20 && $0 != 0x7f } && line.last == 0x0a, "a log line with a control character")
}
