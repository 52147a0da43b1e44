// What an answer page shows, filled in by the endpoint as it reads the request: typed, so the page neither reads a
// dictionary nor tells outcomes apart by their words.
import OTP
import Platform

public struct PageModel: Sendable {
    /// How the request ended, with what the page says about it.
    public enum Outcome: Sendable, Equatable {
        case sent(expiresAt: Int64)
        /// `token` only when OTP_TOKEN_SECRET is set.
        case verified(token: String?)
        /// `detail` is the JSON answer's; `offersNewCode` after a wrong, expired or used-up code or a limit, where
        /// the next step is a new code for the same address.
        case refused(detail: String, offersNewCode: Bool)
    }

    /// What the visitor sent that the page's forms carry on: absent when not sent, or, for `back`, `next`, `state`
    /// and `locale`, not valid.
    public struct Sent: Sendable, Equatable {
        public var channel: String?
        public var identifier: String?
        /// Where the Back link leads (`BackLink`).
        public var back: String?
        /// An allowed `next`, set only when a token goes with it.
        public var next: HTTPURL?
        public var state: String?
        public var locale: LanguageTag?

        public init(channel: String? = nil, identifier: String? = nil, back: String? = nil, next: HTTPURL? = nil, state: String? = nil,
                    locale: LanguageTag? = nil) {
            (self.channel, self.identifier, self.back, self.next, self.state, self.locale) = (channel, identifier, back, next, state, locale)
        }
    }

    public var outcome: Outcome
    public var sent: Sent
    /// The site's default language; nil (so English) when the request failed before the settings were read.
    public var defaultLocale: LanguageTag?

    public init(outcome: Outcome, sent: Sent = Sent(), defaultLocale: LanguageTag? = nil) {
        (self.outcome, self.sent, self.defaultLocale) = (outcome, sent, defaultLocale)
    }

    /// The page of a request refused with `error`.
    init(refused error: WebError, response: Response, sent: Sent = Sent(), defaultLocale: LanguageTag? = nil) {
        let offersNewCode = response.status == 429 || error == .service(.invalidCode)
        self.init(outcome: .refused(detail: response.detail, offersNewCode: offersNewCode), sent: sent, defaultLocale: defaultLocale)
    }
}

/// One request's answer: the response the contract specifies, and the page a browser gets in its place.
public struct Answer: Sendable {
    public var response: Response
    public var page: PageModel
}
