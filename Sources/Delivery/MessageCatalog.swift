// Which words a message is sent in: the locale chosen for it, and each part's text from the first source that has it.
import OTP

/// The sources of each part of a message in locale L: for each of L's truncations (`pt-BR`, then `pt`) the
/// operator's setting (`OTP_EMAIL_SUBJECT`, `OTP_EMAIL_TEMPLATE`, `OTP_SMS_TEMPLATE`) when that tag is the default
/// locale, and `OTP_TEMPLATE_DIR/<tag>/<file>`; then the built-in texts of those tags; then the same for the
/// default locale, and the built-in English last. `email.html` comes from L's own folders only, so an HTML
/// alternative is never in another language than its text.
public struct MessageCatalog: MessageComposer {
    public var settings: MessageSettings
    /// The line WebOTPSender appends to an SMS counts toward its segments.
    public var webOTPDomain: String?
    /// For the self-check's sample code; a request's code has this length.
    public var codeLength: Int
    public var ttlSeconds: Int

    public init(_ settings: MessageSettings, webOTPDomain: String? = nil, codeLength: Int = 6, ttlSeconds: Int = 300) {
        (self.settings, self.webOTPDomain, self.codeLength, self.ttlSeconds) = (settings, webOTPDomain, codeLength, ttlSeconds)
    }

    public var defaultLocale: LanguageTag { settings.defaultLocale }

    /// What one message says; `html` only when an `email.html` applies.
    public struct Message: Equatable, Sendable {
        public let subject: String?
        public let text: String
        public let html: String?
    }

    private var files: TemplateFiles? { settings.templateDirectory.map(TemplateFiles.init) }

    /// A locale the site can answer in: a built-in language or a folder of the template directory.
    public func isAvailable(_ tag: LanguageTag) -> Bool {
        BuiltInMessages.messages(for: tag) != nil || files?.has(tag) == true
    }

    /// The request's own choice (the `locale` field or Accept-Language) and, for SMS and WhatsApp, the number's
    /// country, each narrowed by truncation to an available locale; else the default.
    public func locale(requested: LanguageTag?, phone: String?) -> LanguageTag {
        let wish = requested ?? phone.flatMap(CallingCodeLocales.tag(for:))
        return wish?.firstTruncation(where: isAvailable) ?? defaultLocale
    }

    public func message(to recipient: Identifier, code: String, locale: LanguageTag) throws(TemplateFault) -> OutgoingMessage {
        let parts = try message(for: recipient.channel, locale: locale, code: code)
        return OutgoingMessage(recipient: recipient, code: code, subject: parts.subject, text: parts.text, html: parts.html, locale: locale)
    }

    /// The message for `code`; a fault names the template and what is wrong with it, and no message is sent.
    public func message(for channel: Channel, locale: LanguageTag, code: String) throws(TemplateFault) -> Message {
        let values = MessageTemplate.Values(code: code, minutes: String((ttlSeconds + 59) / 60), site: settings.siteName ?? "")
        func fill(_ template: MessageTemplate, html: Bool = false) throws(TemplateFault) -> String {
            if template.usesSite && settings.siteName == nil { throw TemplateFault("\(template.origin) uses {site} but OTP_SITE_NAME is not set") }
            return template.render(values, html: html)
        }
        if channel != .email {
            let template = try template(.smsText, locale), text = try fill(template)
            if channel == .sms { try checkSegments(text, code: code, origin: template.origin) }
            return Message(subject: nil, text: text, html: nil)
        }
        let subject = try fill(try template(.emailSubject, locale))
        var html: String?, tag: LanguageTag? = locale
        while let files, let candidate = tag {
            if let text = try files.text(candidate, .emailHTML) {
                html = try fill(try MessageTemplate(text, origin: files.origin(candidate, .emailHTML)), html: true)
                break
            }
            tag = candidate.parent
        }
        return Message(subject: subject, text: try fill(try template(.emailText, locale)), html: html)
    }

    /// The first source of `name` for `locale`, parsed: the operator's words before ours at every level, so a
    /// `pt/sms.txt` serves `pt-BR` too rather than the built-in `pt-BR` text.
    func template(_ name: TemplateFiles.Name, _ locale: LanguageTag) throws(TemplateFault) -> MessageTemplate {
        for start in [locale, defaultLocale] {
            var tag: LanguageTag? = start
            while let candidate = tag {
                if candidate == defaultLocale, let (text, origin) = setting(name) { return try parse(text, origin, name) }
                if let files, let text = try files.text(candidate, name) { return try parse(text, files.origin(candidate, name), name) }
                tag = candidate.parent
            }
            tag = start
            while let candidate = tag {
                if let template = try builtIn(name, candidate) { return template }
                tag = candidate.parent
            }
        }
        return try builtIn(name, .english)!
    }

    private func builtIn(_ name: TemplateFiles.Name, _ tag: LanguageTag) throws(TemplateFault) -> MessageTemplate? {
        guard let messages = BuiltInMessages.messages(for: tag) else { return nil }
        switch name {
        case .emailSubject: return try parse(messages.emailSubject, "the built-in \(tag) email subject", name)
        case .emailText, .emailHTML: return try parse(messages.emailText, "the built-in \(tag) email text", name)
        case .smsText: return try parse(messages.smsText, "the built-in \(tag) SMS text", name)
        }
    }

    private func setting(_ name: TemplateFiles.Name) -> (String, String)? {
        switch name {
        case .emailSubject: settings.emailSubject.map { ($0, "OTP_EMAIL_SUBJECT") }
        case .emailText: settings.emailTemplate.map { ($0, "OTP_EMAIL_TEMPLATE") }
        case .smsText: settings.smsTemplate.map { ($0, "OTP_SMS_TEMPLATE") }
        case .emailHTML: nil
        }
    }

    private func parse(_ text: String, _ origin: String, _ name: TemplateFiles.Name) throws(TemplateFault) -> MessageTemplate {
        // A subject is a header: a line break in it would start another one.
        if name == .emailSubject && text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7f }) {
            throw TemplateFault("\(origin) must be one line without control characters")
        }
        return try MessageTemplate(text, origin: origin, requiringCode: name != .emailSubject)
    }

    /// Measured on the text as it leaves, WebOTP line included; a code's digits cost one septet or unit each,
    /// so every code of this length gives the same count.
    private func checkSegments(_ text: String, code: String, origin: String) throws(TemplateFault) {
        let sent = webOTPDomain.map { WebOTPSender.text(text, code: code, domain: $0) } ?? text
        let segments = SMSSegments(sent)
        guard segments.count > settings.maxSMSSegments else { return }
        throw TemplateFault("\(origin) needs \(segments) with a \(code.utf8.count)-digit code"
            + "\(webOTPDomain == nil ? "" : " and the WebOTP line"); OTP_SMS_MAX_SEGMENTS is \(settings.maxSMSSegments)")
    }

    /// Every problem a request could meet, for `--check`: each built-in locale and each template folder, through
    /// every channel, with a code of the configured length. Empty when all is well.
    public func problems() -> [String] {
        var locales = BuiltInMessages.locales.compactMap(LanguageTag.init)
        var problems: [String] = []
        if let files {
            do {
                let listed = try files.locales()
                locales += listed.found.filter { !locales.contains($0) }
                problems += listed.ignored.map { "OTP_TEMPLATE_DIR/\($0) is not a canonical language tag (such as pt-BR), so no request uses it" }
            } catch {
                problems.append(error.description)
            }
        }
        if !locales.contains(defaultLocale) { locales.append(defaultLocale) }
        let code = String(repeating: "0", count: codeLength)
        for locale in locales {
            for channel in Channel.allCases {
                do { _ = try message(for: channel, locale: locale, code: code) } catch {
                    if !problems.contains(error.description) { problems.append(error.description) }
                }
            }
        }
        return problems
    }
}
