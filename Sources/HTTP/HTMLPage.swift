// The page a browser gets instead of JSON after a plain form post, so the service works without JavaScript.
import Crypto
import OTP
import System

/// It tells the outcome and offers the next step as a form: after a sent code the check form, pre-filled; after
/// an error the same form again with what was sent; after "Verified" nothing. Everything echoed is escaped.
struct HTMLPage {
    let response: Response
    let endpoint: Endpoint

    /// No script, no outside resource, forms only to this site: even an escaping mistake could not run anything.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    /// The `next` the Continue button posts the token to: only after "Verified" with a token, and only a `next`
    /// the endpoint found allowed (it is in `formValues` only then).
    var continueTarget: (url: String, origin: String, token: String)? {
        guard endpoint == .verify, response.status == 200, let text = response.formValues["next"], let next = NextURL(text),
              case .string(let token)? = response.fields.first(where: { $0.0 == "token" })?.1 else { return nil }
        return (next.text, next.origin, token)
    }

    /// The Continue button's form may go to that one origin besides this site.
    var contentSecurityPolicy: String {
        guard let target = continueTarget else { return Self.contentSecurityPolicy }
        return Self.contentSecurityPolicy.replacingEvery("form-action 'self'", with: "form-action 'self' \(target.origin)")
    }

    /// HTML only for a client that ranks text/html above application/json, as a browser's form post does
    /// (`text/html,...,*/*;q=0.8`); a tie, `*/*` or no Accept keeps the JSON of the contract, so no API client
    /// sees a change. A type's quality is that of the most specific range naming it (RFC 9110 section 12.5.1).
    static func isPreferred(accept: String?) -> Bool {
        guard let accept else { return false }
        let ranges = accept.split(separator: ",").map { item in
            let parts = item.split(separator: ";").map { String($0).trimmingASCIIWhitespace().lowercased() }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (range: parts.first ?? "", q: q)
        }
        func quality(_ type: String) -> Double {
            let family = String(type.prefix { $0 != "/" }) + "/*"
            return [type, family, "*/*"].lazy.compactMap { name in ranges.first { $0.range == name }?.q }.first ?? 0
        }
        return quality("text/html") > quality("application/json")
    }

    /// The page's own words in the request's language (truncated to a built-in one) or the site's default; the
    /// detail stays the English of the JSON contract, marked as such for screen readers and the bidi algorithm.
    var language: (tag: LanguageTag, text: PageText) {
        PageText.language(for: response.requestedLocale, default: response.defaultLocale ?? .english)
    }

    var text: String {
        let ok = response.status == 200, (tag, words) = language
        let title = switch (endpoint, ok) {
        case (.generate, true): words.codeSent
        case (.verify, true): words.codeVerified
        case (.generate, false): words.codeNotSent
        case (.verify, false): words.codeNotAccepted
        }
        let next: Endpoint? = ok ? (endpoint == .generate ? .verify : nil) : endpoint
        let english = tag.language == "en" ? "" : " lang=\"en\" dir=\"auto\""
        return """
            <!doctype html>
            <html lang="\(tag)" dir="\(tag.isRightToLeft ? "rtl" : "ltr")">
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLEscaping.escape(title))</title>
            <style>
            body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f3f4f6; color: #1f2328; }
            main { max-width: 26rem; margin: 3rem auto; padding: 1.5rem 2rem; background: #fff; border-radius: 8px; }
            label { display: block; margin-top: .75rem; }
            input, select, button { font: inherit; width: 100%; box-sizing: border-box; padding: .45rem; margin-top: .2rem; }
            button { margin-top: 1.25rem; background: #1f5fc8; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
            .ok { color: #17703a; } .error { color: #b3261e; }
            </style>
            <main>
            <h1>\(HTMLEscaping.escape(title))</h1>
            <p class="\(ok ? "ok" : "error")" id="outcome"\(english)>\(HTMLEscaping.escape(response.detail))</p>
            \(next.map(form) ?? continueForm)</main>
            </html>

            """
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

    /// Relative actions, so the page works wherever the two endpoints sit side by side. An allowed `next` rides
    /// along, so the check form after a send or an error still leads there.
    /// Addresses, numbers and codes read left to right in any page (`dir="ltr"`). The request's locale rides along
    /// in the form, so the next page is in the same language.
    private func form(_ target: Endpoint) -> String {
        let words = language.text
        let sentChannel = response.formValues["channel"] ?? "", identifier = response.formValues["identifier"] ?? ""
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
        var hidden = ""
        for name in ["next", "locale"] {
            if let value = response.formValues[name] { hidden += "<input type=\"hidden\" name=\"\(name)\" value=\"\(HTMLEscaping.escape(value))\">\n" }
        }
        return """
            <form method="post" action="\(target.rawValue)">
            \(hidden)<label>\(HTMLEscaping.escape(words.channel)) <select name="channel">\(options)</select></label>
            <label>\(HTMLEscaping.escape(words.emailOrPhone)) <input name="identifier" dir="ltr" value="\(HTMLEscaping.escape(identifier))" required></label>
            \(code)<button>\(HTMLEscaping.escape(target == .verify ? words.checkCode : words.sendCode))</button>
            </form>

            """
    }
}
