// Which emails and phone numbers are accepted, what they normalise to, and how they are masked in logs.
import Testing
@testable import OTP
import TestSupport

@Suite struct IdentifierTests {
    @Test(arguments: [
        ("joe@example.com", "joe@example.com"),
        ("  Joe.Bloggs+otp@Example.COM \t", "joe.bloggs+otp@example.com"),
        ("a@b.co", "a@b.co"),
        ("joe@example.com\r\n", "joe@example.com"),
        ("ünïcode@exämple.de", "ünïcode@exämple.de"),
    ])
    func acceptsAndNormalisesEmails(raw: String, normalised: String) throws {
        #expect(try Identifier(channel: .email, raw: raw).value == normalised)
    }

    @Test(arguments: [
        "", "joe", "joe@", "@example.com", "joe@example", "joe@@example.com", "jo e@example.com",
        "joe@example.com\r\nBcc: x@evil.example", "joe@exam\nple.com", "joe@exa\u{0}mple.com",
        "<joe@example.com>", "joe@example.com, eve@example.com", "joe@example..com", "joe@.example.com",
        "joe@example.com.", "\"joe\"@example.com", "joe\u{200B}@example.com", "joe\u{85}@example.com",
        String(repeating: "a", count: 65) + "@example.com",
        "joe@" + String(repeating: "a", count: 250) + ".com",
    ])
    func refusesEmails(raw: String) {
        #expect(throws: OTPError.badRequest("Invalid email address")) { try Identifier(channel: .email, raw: raw) }
    }

    @Test(arguments: [
        ("+14155552671", "+14155552671"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("+44.20.7946.0958", "+442079460958"),
        ("+12345678", "+12345678"),
        ("+123456789012345", "+123456789012345"),
    ])
    func acceptsAndNormalisesPhones(raw: String, normalised: String) throws {
        #expect(try Identifier(channel: .sms, raw: raw).value == normalised)
        #expect(try Identifier(channel: .whatsapp, raw: raw).value == normalised)
    }

    @Test(arguments: [
        "", "14155552671", "+04155552671", "+1234567", "+1234567890123456", "+1415555267a", "++14155552671",
        "+1415\u{0663}552671", "+１４１５５５５２６７１", "+1415555\n2671", "+1 415 555 2671 ext 2", "joe@example.com",
        "+1 415-\u{0301}555-2671", "+1 (\u{0301}415) 555 2671",
    ])
    func refusesPhones(raw: String) {
        #expect(throws: OTPError.self) { try Identifier(channel: .sms, raw: raw) }
    }

    @Test(arguments: [
        (Channel.email, "joe@example.com", "j***@example.com"),
        (Channel.sms, "+14155552671", "+1415***2671"),
        (Channel.whatsapp, "+12345678", "+12***78"),
    ])
    func masksForTheLog(channel: Channel, raw: String, masked: String) throws {
        #expect(try Identifier(channel: channel, raw: raw).masked == masked)
    }

    @Test(arguments: [("123456", "123456"), (" 012345 ", "012345")])
    func acceptsCodesOfTheConfiguredLength(raw: String, code: String) throws {
        #expect(try Code.validate(raw, length: 6) == code)
    }

    @Test(arguments: ["12345", "1234567", "12345a", "١٢٣٤٥٦", "１２３４５６", "12 456", "", "+12345"])
    func refusesOtherCodes(raw: String) {
        #expect(throws: OTPError.invalidCode) { try Code.validate(raw, length: 6) }
    }
}

/// The email check and the mask on scalars and bytes: a mark after `@`, `.` or any character the check refuses
/// changes nothing of what it sees.
@Suite struct IdentifierMarkTests {
    /// Two `@`, one of them hidden in a cluster with U+0301, must not reach `To:` nor be masked as corp's.
    @Test func anAtSignWithAMarkIsStillAnAtSign() {
        #expect(throws: OTPError.badRequest("Invalid email address")) {
            try Identifier(channel: .email, raw: "attacker2@\u{0301}evil.example@corp.example")
        }
    }

    @Test(arguments: CombiningMarks.after(["@", ".", "<", ">", ",", ";", ":", "\"", "(", ")", "[", "]", "\\", " ", "\n", "\r"]))
    func everyRefusedCharacterIsRefusedWhateverMarkFollowsIt(character: String, text: String) {
        // Inside the local part: the character is refused (or, for `@` and `.`, makes the address invalid).
        let address = character == "@" ? "joe" + text + "@example.com" : character == "." ? "joe@example" + text : "jo" + text + "e@example.com"
        #expect(throws: OTPError.badRequest("Invalid email address")) { try Identifier(channel: .email, raw: address) }
    }

    @Test(arguments: CombiningMarks.all)
    func aMarkCannotStartTheLocalPartTheDomainOrALabel(mark: String) {
        for address in [mark + "joe@example.com", "joe@" + mark + "example.com", "joe@example." + mark + "com"] {
            #expect(throws: OTPError.badRequest("Invalid email address")) { try Identifier(channel: .email, raw: address) }
        }
    }

    /// Not the zero-width joiner: a format character, refused anywhere in an address.
    @Test(arguments: CombiningMarks.all.filter { $0 != "\u{200D}" })
    func theMaskShowsOneScalarAndTheDomainWhateverFollowsTheFirstLetter(mark: String) throws {
        let identifier = try Identifier(channel: .email, raw: "j" + mark + "oe@example.com")
        #expect(identifier.masked == "j***@example.com")
    }
}

/// The inbox a send and a failure count against: aliases and spellings of one inbox are one.
@Suite struct MailboxTests {
    @Test(arguments: [
        ("joe+shop@example.com", "joe@example.com"),
        ("J.O.E+1@GMail.com", "joe@gmail.com"),
        ("j.oe@googlemail.com", "joe@gmail.com"),
        ("j.oe@example.com", "j.oe@example.com"),
        ("joe@Bücher.Example", "joe@xn--bcher-kva.example"),
        ("joe@münchen.de", "joe@xn--mnchen-3ya.de"),
        ("joe@xn--mnchen-3ya.de", "joe@xn--mnchen-3ya.de"),
        // N10: the NFD spelling, full-width letters and stops, and a decomposed local part are the same inbox.
        ("joe+3@bu\u{0308}cher.example", "joe@xn--bcher-kva.example"),
        ("victim@\u{FF47}\u{FF4D}\u{FF41}\u{FF49}\u{FF4C}.com", "victim@gmail.com"),
        ("v.ictim@ＧＭＡＩＬ.ｃｏｍ", "victim@gmail.com"),
        ("jose\u{0301}@example.com", "jos\u{E9}@example.com"),
        ("joe@stra\u{DF}e.de", "joe@xn--strae-oqa.de"),
    ])
    func aliasesShareOneInbox(raw: String, mailbox: String) throws {
        #expect(try Identifier(channel: .email, raw: raw).mailbox == mailbox)
    }

    /// What the mapping here cannot bring to one form (a ligature, a superscript, a compatibility character that
    /// NFKC would change) is refused as the contract's 400, rather than counted apart from the inbox it reaches.
    @Test(arguments: ["joe@\u{FB01}le.example", "joe@example\u{00B2}.com", "joe@\u{2460}.example", "joe@\u{FF76}.example"])
    func aDomainWithNoCanonicalFormHereIsRefused(raw: String) {
        #expect(throws: OTPError.badRequest("Invalid email address")) { try Identifier(channel: .email, raw: raw) }
    }

    @Test func aNumberIsItsOwnInboxOnEveryChannel() throws {
        #expect(try Identifier(channel: .sms, raw: "+1 415 555 2671").mailbox == "+14155552671")
        #expect(try Identifier(channel: .whatsapp, raw: "+14155552671").mailbox == "+14155552671")
    }
}
