// The page a browser gets instead of JSON after a plain form post, so the service works without JavaScript.
import Digests
import OTP
import Platform

/// It tells the outcome once and offers the next step as a form: after a sent code the check form, pre-filled, and
/// when the code expires; after an error the same form again with what was sent, and after a wrong, expired or
/// used-up code also "Send a new code"; after "Verified" Continue when there is somewhere to continue to. Every
/// page has a way back to where the visitor started. Everything echoed is escaped. It fits a 360 px screen.
struct HTMLPage {
    let model: PageModel
    let endpoint: Endpoint

    init(_ model: PageModel, endpoint: Endpoint) {
        self.model = model
        self.endpoint = endpoint
    }

    /// The page's one stylesheet, inline. The CSP allows exactly this text by its hash (CSP Level 3, "hash-source"),
    /// so a `style` attribute or `<style>` that an escaping mistake let in would not apply. The hash covers all the
    /// element's text, line breaks included, so it is the whole of what sits between `<style>` and `</style>`.
    static let stylesheet = """

        body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f3f4f6; color: #1f2328; }
        main { max-width: 26rem; margin: 3rem auto; padding: 1.5rem 2rem; background: #fff; border-radius: 8px; }
        label { display: block; margin-top: .75rem; }
        input, select, button { font: inherit; width: 100%; box-sizing: border-box; padding: .45rem; margin-top: .2rem; }
        button { margin-top: 1.25rem; background: #1f5fc8; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
        .ok { color: #17703a; } .error { color: #b3261e; } a { color: #1f5fc8; }
        @media (max-width: 30rem) { main { margin: 0; padding: 1rem; border-radius: 0; } }

        """

    /// No script, no outside resource, no style but the page's own, forms only to this site: even an escaping
    /// mistake could not run or draw anything.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'sha256-\(Base64.encode(SHA256.hash(stylesheet.utf8)))'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    /// The one script, on the "Code sent" page only and allowed there by its hash as the stylesheet is: where the
    /// browser runs it, the expiry in the visitor's own time zone and the time left, in the page's language by the
    /// browser's own Intl (the page knows only UTC, and no plural rules). The time left counts from the page's
    /// arrival (`data-left`, from the server's clock), so a visitor's wrong clock does not shift it. Without
    /// scripts the page says the time in UTC.
    static let expiryScript = """

        const t = document.getElementById("expires");
        if (t && window.Intl && Intl.RelativeTimeFormat) {
          const lang = document.documentElement.lang, end = Date.now() + 1000 * Number(t.dataset.left);
          const at = new Date(t.dateTime).toLocaleTimeString(lang, { hour: "numeric", minute: "2-digit" });
          const left = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
          const show = () => { t.textContent = at + " (" + left.format(Math.max(0, Math.ceil((end - Date.now()) / 60000)), "minute") + ")"; };
          show();
          setInterval(show, 10000);
        }

        """

    static let expiryPolicy = contentSecurityPolicy.replacingEvery("default-src 'none'; ",
                                                                   with: "default-src 'none'; script-src 'sha256-\(Base64.encode(SHA256.hash(expiryScript.utf8)))'; ")

    /// The `next` the Continue button posts the token to: only after "Verified" with a token, and only a `next`
    /// the endpoint found allowed.
    var continueTarget: (url: String, origin: String, token: String)? {
        guard case .verified(let token?) = model.outcome, let next = model.sent.next else { return nil }
        return (next.text, next.origin, token)
    }

    /// The Continue button's form may go to that one origin besides this site.
    var contentSecurityPolicy: String {
        if case .sent = model.outcome { return Self.expiryPolicy }
        guard let target = continueTarget else { return Self.contentSecurityPolicy }
        return Self.contentSecurityPolicy.replacingEvery("form-action 'self'", with: "form-action 'self' \(target.origin)")
    }

    /// HTML only for a client that ranks text/html above application/json, as a browser's form post does
    /// (`text/html,...,*/*;q=0.8`); a tie, `*/*` or no Accept keeps the JSON of the contract, so no API client
    /// sees a change. A type's quality is that of the most specific range naming it (RFC 9110 section 12.5.1).
    /// Every request asks this, so it notes the five ranges that matter as it reads and keeps no list (a list of
    /// ranges costs a verify 3% of its instructions).
    static func isPreferred(accept: String?) -> Bool {
        guard let accept else { return false }
        var ranges = DecidingRanges()
        for item in accept.split(byte: UInt8(ascii: ",")) {
            let parts = item.split(byte: UInt8(ascii: ";"))
            ranges.note(parts.first?.trimmingASCIIWhitespace() ?? "", quality: QualityValue.weight(parts.dropFirst()))
        }
        return ranges.htmlOverJSON
    }

    /// The quality (in thousandths) of the first range of each name that can decide between HTML and JSON.
    private struct DecidingRanges {
        var html: Int?, text: Int?, json: Int?, application: Int?, any: Int?

        mutating func note(_ range: String, quality: Int) {
            switch String(decoding: range.utf8.map(ASCII.lowercased), as: UTF8.self) {
            case "text/html": html = html ?? quality
            case "text/*": text = text ?? quality
            case "application/json": json = json ?? quality
            case "application/*": application = application ?? quality
            case "*/*": any = any ?? quality
            default: break
            }
        }

        var htmlOverJSON: Bool { (html ?? text ?? any ?? 0) > (json ?? application ?? any ?? 0) }
    }

    /// The page's own words in the request's language (truncated to a built-in one) or the site's default; the
    /// detail stays the English of the JSON contract, marked as such for screen readers and the bidi algorithm.
    var language: (tag: LanguageTag, text: PageText) {
        PageText.language(for: model.sent.locale, default: model.defaultLocale ?? .english)
    }

    var text: String {
        let (tag, words) = language
        let ok = if case .refused = model.outcome { false } else { true }
        let title = switch (endpoint, ok) {
        case (.generate, true): words.codeSent
        case (.verify, true): words.codeVerified
        case (.generate, false): words.codeNotSent
        case (.verify, false): words.codeNotAccepted
        }
        let next: Endpoint? = ok ? (endpoint == .generate ? .verify : nil) : endpoint
        let english = tag.language == "en" ? "" : " lang=\"en\" dir=\"auto\""
        // The title says what happened; the paragraph adds only what it does not say: when a sent code expires, or
        // why a request was refused. "Verified" would say the title again.
        let outcome: String? = switch model.outcome {
        case .sent(let expiresAt): expiry(expiresAt, words)
        case .verified: nil
        case .refused(let detail, _): "<p class=\"error\" id=\"outcome\"\(english)>\(HTMLEscaping.escape(detail))</p>\n"
        }
        return """
            <!doctype html>
            <html lang="\(tag)" dir="\(tag.isRightToLeft ? "rtl" : "ltr")">
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLEscaping.escape(title))</title>
            <style>\(Self.stylesheet)</style>
            <main>
            <h1>\(HTMLEscaping.escape(title))</h1>
            \(outcome ?? "")\(next.map(form) ?? continueForm)\(resendForm)\(backLink)</main>
            </html>

            """
    }

    /// "It expires at 12:34 UTC." from the answer's `expires_at`, the exact instant in a `<time>` and the seconds
    /// left in its `data-left`, then the script that shows both in the visitor's terms.
    private func expiry(_ seconds: Int64, _ words: PageText) -> String {
        let time = Self.utc(seconds), left = max(0, seconds - Clock.unixSeconds())
        let sentence = HTMLEscaping.escape(words.expiresAt)
            .replacingEvery("{time}", with: "<time id=\"expires\" datetime=\"\(time.iso)\" data-left=\"\(left)\" dir=\"ltr\">\(time.clock)</time>")
        return "<p class=\"ok\" id=\"outcome\">\(sentence)</p>\n<script>\(Self.expiryScript)</script>\n"
    }

    /// After a wrong, expired or used-up code, or too many tries, the next step is a new code for the same address.
    private var resendForm: String {
        let channel = model.sent.channel ?? "", identifier = model.sent.identifier ?? ""
        guard endpoint == .verify, case .refused(_, offersNewCode: true) = model.outcome, !channel.isEmpty, !identifier.isEmpty else { return "" }
        return """
            <form method="post" action="generate" id="resend">
            <input type="hidden" name="channel" value="\(HTMLEscaping.escape(channel))">
            <input type="hidden" name="identifier" value="\(HTMLEscaping.escape(identifier))">
            \(hiddenFields)<button>\(HTMLEscaping.escape(language.text.sendNewCode))</button>
            </form>

            """
    }

    /// `next`, the site's `state`, the locale and `back` ride along in every form, so each page after the first
    /// keeps them.
    private var hiddenFields: String {
        var hidden = ""
        let sent = model.sent
        for (name, value) in [("next", sent.next?.text), ("state", sent.state), ("locale", sent.locale?.description), ("back", sent.back)] {
            if let value { hidden += "<input type=\"hidden\" name=\"\(name)\" value=\"\(HTMLEscaping.escape(value))\">\n" }
        }
        return hidden
    }

    /// The way back to the page the visitor started from.
    private var backLink: String {
        guard let back = model.sent.back else { return "" }
        return "<p><a href=\"\(HTMLEscaping.escape(back))\" id=\"back\">\(HTMLEscaping.escape(language.text.back))</a></p>\n"
    }

    /// Unix seconds as an ISO 8601 instant and as "HH:MM UTC": the page knows no time zone but UTC.
    static func utc(_ seconds: Int64) -> (iso: String, clock: String) {
        let t = UTCTime(seconds), two = { (n: Int) in UTCTime.padded(n, 2) }
        let hh = two(t.hour), mm = two(t.minute)
        return ("\(UTCTime.padded(t.year, 4))-\(two(t.month))-\(two(t.day))T\(hh):\(mm):\(two(t.second))Z", "\(hh):\(mm) UTC")
    }

    /// A POST, so the token never sits in a URL (a Referer, a history entry or an access log).
    private var continueForm: String {
        guard let target = continueTarget else { return "" }
        return """
            <form method="post" action="\(HTMLEscaping.escape(target.url))" id="continue">
            <input type="hidden" name="otp_token" value="\(HTMLEscaping.escape(target.token))">
            <button autofocus>\(HTMLEscaping.escape(language.text.continueLabel))</button>
            </form>

            """
    }

    /// Relative actions, so the page works wherever the two endpoints sit side by side. An allowed `next` and the
    /// site's `state` ride along, so the check form after a send or an error still leads there, bound alike.
    /// Addresses, numbers and codes read left to right in any page (`dir="ltr"`). The request's locale rides along
    /// in the form, so the next page is in the same language.
    private func form(_ target: Endpoint) -> String {
        let words = language.text
        let sentChannel = model.sent.channel ?? "", identifier = model.sent.identifier ?? ""
        let options = Channel.allCases.map { channel in
            let selected = channel.rawValue == sentChannel ? " selected" : ""
            let label = switch channel {
            case .email: words.email
            case .sms: "SMS"
            case .whatsapp: "WhatsApp"
            }
            return "<option value=\"\(channel.rawValue)\"\(selected)>\(HTMLEscaping.escape(label))</option>"
        }.joined()
        let code = target == .verify
            ? "<label>\(HTMLEscaping.escape(words.code)) <input name=\"code\" dir=\"ltr\" autocomplete=\"one-time-code\" inputmode=\"numeric\" "
                + "pattern=\"[0-9]*\" required autofocus></label>\n"
            : ""
        return """
            <form method="post" action="\(target.rawValue)">
            \(hiddenFields)<label>\(HTMLEscaping.escape(words.channel)) <select name="channel">\(options)</select></label>
            <label>\(HTMLEscaping.escape(words.emailOrPhone)) <input name="identifier" dir="ltr" value="\(HTMLEscaping.escape(identifier))" required></label>
            \(code)<button>\(HTMLEscaping.escape(target == .verify ? words.checkCode : words.sendCode))</button>
            </form>

            """
    }
}
