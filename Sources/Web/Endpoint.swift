// The two endpoints and the flow of one request through them: every outcome, and every error, passes through here.
import Gateway
import OTP

public enum Endpoint: String, Sendable {
    case generate, verify
}

/// What the app provides for each request: the web layer's settings and a service, both read from the
/// request's environment (CGI meta-variables or FastCGI PARAMS), and with `log` as the request's log.
public typealias Wiring = (_ request: Request, _ log: @escaping (String) -> Void) throws(OTPError) -> (WebSettings, OTPService)

extension Endpoint {
    /// Answers one request. Every `WebError` becomes its status and safe detail (`Response(_:)`); nothing else
    /// can escape, because the flow and the service throw only typed errors. `page`: the client prefers an HTML page,
    /// whose Back link is then worked out (a JSON client would pay for parsing its Referer for nothing).
    public func respond(to request: Request, page: Bool, log: @escaping (String) -> Void, wiring: Wiring) -> Answer {
        var answer: Answer
        var who = "", crossOrigin: [(String, String)] = [], defaultLocale: LanguageTag?
        let requestURI = request.environment["REQUEST_URI"]
        var sent = PageModel.Sent(back: page ? BackLink.url(field: nil, referer: request.referer, requestURI: requestURI) : nil)
        do throws(WebError) {
            guard request.method == "POST" || request.method == "OPTIONS" else { throw .methodNotAllowed }
            let (settings, service) = try serviceCall { () throws(OTPError) in try wiring(request, log) }
            let cors = CrossOrigin(allowed: settings.allowedOrigins)
            if request.method == "OPTIONS" {
                let response = try cors.preflight(origin: request.origin)
                log("\(rawValue) \(response.status) preflight")
                return Answer(response: response, page: PageModel(outcome: .refused(detail: "", offersNewCode: false)))
            }
            crossOrigin = try cors.headers(for: request.origin)
            let fields = try RequestFields.parse(body: request.body, contentType: request.contentType)
            (sent.channel, sent.identifier) = (try fields.string("channel"), try fields.string("identifier"))
            if page { sent.back = BackLink.url(field: try? fields.string("back"), referer: request.referer, requestURI: requestURI) }
            sent.next = settings.token.allowedNext(try? fields.string("next"))
            let state = try TokenState.parse(try fields.string("state"))
            sent.state = state
            defaultLocale = service.defaultLocale
            // Only a code's message and a page are written in a language: a JSON verify spares parsing Accept-Language.
            let requested = try Self.requestedLocale(fields, acceptLanguage: page || self == .generate ? request.acceptLanguage : nil,
                                                     available: service.hasWords)
            sent.locale = requested
            let identifier = try RequestFields.identify(channel: sent.channel, identifier: sent.identifier)
            who = " channel=\(identifier.channel.rawValue) to=\(identifier.masked)"
            let client = ClientAddress.resolve(remote: request.remoteAddress, forwardedFor: request.forwardedFor,
                                               trusted: settings.trustedProxies)
            switch self {
            case .generate:
                let locale = service.locale(requested: requested, for: identifier)
                who += " locale=\(locale)"
                let expiresAt = try serviceCall { () throws(OTPError) in try service.generate(for: identifier, client: client, locale: locale) }
                answer = Answer(response: Response(status: 200, detail: "OTP sent", extra: [("expires_at", .integer(expiresAt))]),
                                page: PageModel(outcome: .sent(expiresAt: expiresAt), sent: sent, defaultLocale: defaultLocale))
            case .verify:
                let code = try fields.string("code") ?? ""
                let verifiedAt = try serviceCall { () throws(OTPError) in try service.verify(identifier, code: code, client: client) }
                let token = settings.token.secret.map { secret in
                    VerificationToken.make(for: identifier, state: state, settings: settings.token, secret: secret, now: verifiedAt)
                }
                answer = Answer(response: Response(status: 200, detail: "Verified", extra: token.map { [("token", .string($0))] } ?? []),
                                page: PageModel(outcome: .verified(token: token), sent: sent, defaultLocale: defaultLocale))
            }
        } catch {
            let response = Response(error)
            answer = Answer(response: response, page: PageModel(refused: error, response: response, sent: sent, defaultLocale: defaultLocale))
        }
        answer.response.headers += crossOrigin.map { Response.Header(name: $0.0, value: $0.1) }
        log("\(rawValue) \(answer.response.status) \"\(answer.response.detail)\"\(who)")
        return answer
    }

    /// The `locale` field, strictly a language tag since it names template folders (an empty one counts as absent,
    /// as a form's "any language" choice sends it); else the best of Accept-Language that the site has.
    static func requestedLocale(_ fields: RequestFields, acceptLanguage: String?,
                                available: (LanguageTag) -> Bool) throws(WebError) -> LanguageTag? {
        if let text = try fields.string("locale"), !text.isEmpty {
            guard let tag = LanguageTag(text) else { throw .badRequest("locale must be a BCP 47 language tag such as pt-BR") }
            return tag
        }
        return AcceptLanguage.best(acceptLanguage, available: available)
    }

    /// The handler a gateway calls: the request's answer as bytes, an HTML page when the client prefers one.
    public func handler(wiring: @escaping Wiring) -> Handler {
        { request, log in
            let answer: Answer, page = HTMLPage.isPreferred(accept: request.accept)
            if let fault = request.bodyFault {
                let error = WebError(fault), response = Response(error)
                answer = Answer(response: response, page: PageModel(refused: error, response: response))
                log("\(rawValue) \(response.status) \"\(response.detail)\"")
            } else {
                answer = respond(to: request, page: page, log: log, wiring: wiring)
            }
            return page ? answer.response.bytes(page: HTMLPage(answer.page, endpoint: self)) : answer.response.bytes()
        }
    }
}
