// The two endpoints and the flow of one request through them: every outcome, and every error, passes through here.
import OTP
import System

public enum Endpoint: String, Sendable {
    case generate, verify
}

/// What the app provides for each request: the HTTP layer's settings and a service, both read from the
/// request's environment (CGI meta-variables or FastCGI PARAMS), and with `log` as the request's log.
public typealias Wiring = (_ environment: [String: String], _ log: @escaping (String) -> Void) throws(OTPError) -> (HTTPSettings, OTPService)

extension Endpoint {
    /// Answers one request. Every `OTPError` becomes its status and safe detail (`Response(_:)`); nothing else
    /// can escape, because the service's methods throw only `OTPError`.
    public func respond(to request: Request, environment: [String: String], log: @escaping (String) -> Void,
                        wiring: Wiring) -> Response {
        var response: Response
        var who = "", sent: [String: String] = [:], crossOrigin: [(String, String)] = []
        let requestURI = environment["REQUEST_URI"]
        sent["back"] = BackLink.url(field: nil, referer: request.referer, requestURI: requestURI)
        var requested: LanguageTag?, defaultLocale: LanguageTag?
        do throws(OTPError) {
            guard request.method == "POST" || request.method == "OPTIONS" else { throw .methodNotAllowed }
            let (settings, service) = try wiring(environment, log)
            let cors = CrossOrigin(allowed: settings.allowedOrigins)
            if request.method == "OPTIONS" {
                response = try cors.preflight(origin: request.origin)
                log("\(rawValue) \(response.status) preflight")
                return response
            }
            crossOrigin = try cors.headers(for: request.origin)
            let fields = try RequestFields.parse(body: request.body, contentType: request.contentType)
            sent["channel"] = try? fields.string("channel")
            sent["identifier"] = try? fields.string("identifier")
            sent["back"] = BackLink.url(field: try? fields.string("back"), referer: request.referer, requestURI: requestURI)
            if let next = settings.token.allowedNext(try? fields.string("next")) { sent["next"] = next.text }
            let state = try TokenState.parse(try fields.string("state"))
            sent["state"] = state
            defaultLocale = service.messages.defaultLocale
            requested = try Self.requestedLocale(fields, acceptLanguage: request.acceptLanguage, available: service.messages.isAvailable)
            sent["locale"] = requested?.description
            let identifier = try service.identify(fields)
            who = " channel=\(identifier.channel.rawValue) to=\(identifier.masked)"
            let client = ClientAddress.resolve(remote: request.remoteAddress, forwardedFor: request.forwardedFor,
                                               trusted: settings.trustedProxies)
            switch self {
            case .generate:
                let locale = service.locale(requested: requested, for: identifier)
                who += " locale=\(locale)"
                let expiresAt = try service.generate(for: identifier, client: client, locale: locale)
                response = Response(status: 200, detail: "OTP sent", extra: [("expires_at", .integer(expiresAt))])
            case .verify:
                try service.verify(identifier, code: try fields.string("code") ?? "", client: client)
                let token = settings.token.secret.map { secret in
                    VerificationToken.make(for: identifier, state: state, settings: settings.token, secret: secret, now: service.now())
                }
                response = Response(status: 200, detail: "Verified", extra: token.map { [("token", .string($0))] } ?? [])
            }
        } catch {
            response = Response(error)
        }
        response.headers += crossOrigin.map { Response.Header(name: $0.0, value: $0.1) }
        response.formValues = sent
        (response.requestedLocale, response.defaultLocale) = (requested, defaultLocale)
        log("\(rawValue) \(response.status) \"\(response.detail)\"\(who)")
        return response
    }

    /// The `locale` field, strictly a language tag since it names template folders (an empty one counts as absent,
    /// as a form's "any language" choice sends it); else the best of Accept-Language that the site has.
    static func requestedLocale(_ fields: RequestFields, acceptLanguage: String?,
                                available: (LanguageTag) -> Bool) throws(OTPError) -> LanguageTag? {
        if let text = try fields.string("locale"), !text.isEmpty {
            guard let tag = LanguageTag(text) else { throw .badRequest("locale must be a BCP 47 language tag such as pt-BR") }
            return tag
        }
        return AcceptLanguage.best(acceptLanguage, available: available)
    }

    /// One request, from CGI meta-variables and a way to read its body to the bytes of a CGI response. Both
    /// adapters call this: the CGI one with the process environment, the FastCGI one with a request's PARAMS.
    public func serve(_ env: [String: String], readBody: (Int) -> [UInt8], log: @escaping (String) -> Void,
                      wiring: Wiring) -> [UInt8] {
        var request = CGI.request(from: env)
        let response: Response
        do throws(OTPError) {
            request.body = try CGI.body(from: env, readBody: readBody)
            response = respond(to: request, environment: env, log: log, wiring: wiring)
        } catch {
            response = Response(error)
            log("\(rawValue) \(response.status) \"\(response.detail)\"")
        }
        return CGI.render(response, pageFor: HTMLPage.isPreferred(accept: request.accept) ? self : nil)
    }
}
