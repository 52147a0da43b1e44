// The two endpoints and the one place every request's outcome, and every error, passes through.
#if canImport(Glibc)
import Glibc
#endif

public enum Endpoint: String, Sendable {
    case generate, verify

    /// Answers one request. Every `OTPError` becomes its status and safe detail; nothing else can escape,
    /// because the service's methods throw only `OTPError`.
    public func respond(to request: Request, environment: [String: String], log: @escaping (String) -> Void,
                        makeStore: (Settings) -> any OTPStore = Endpoint.store) -> Response {
        var response: Response
        var who = "", sent: [String: String] = [:], crossOrigin: [(String, String)] = []
        do throws(OTPError) {
            guard request.method == "POST" || request.method == "OPTIONS" else { throw .methodNotAllowed }
            let settings = try Settings(environment: environment)
            let cors = CrossOrigin(allowed: settings.abuse.allowedOrigins)
            if request.method == "OPTIONS" {
                response = try cors.preflight(origin: request.origin)
                log("\(rawValue) \(response.status) preflight")
                return response
            }
            crossOrigin = try cors.headers(for: request.origin)
            let fields = try RequestFields.parse(body: request.body, contentType: request.contentType)
            for name in ["channel", "identifier"] { sent[name] = try? fields.string(name) }
            if let next = settings.token.allowedNext(try? fields.string("next")) { sent["next"] = next.text }
            let service = OTPService(settings: settings, store: makeStore(settings), log: log)
            let identifier = try service.identify(fields)
            who = " channel=\(identifier.channel.rawValue) to=\(identifier.masked)"
            switch self {
            case .generate:
                let client = ClientAddress.resolve(remote: request.remoteAddress, forwardedFor: request.forwardedFor,
                                                   trusted: settings.abuse.trustedProxies)
                let expiresAt = try service.generate(for: identifier, client: client)
                response = Response(status: 200, detail: "OTP sent", extra: [("expires_at", .integer(expiresAt))])
            case .verify:
                try service.verify(identifier, code: try fields.string("code") ?? "")
                let token = settings.token.secret.map { secret in
                    VerificationToken.make(for: identifier, settings: settings.token, secret: secret, now: Clock.unixSeconds())
                }
                response = Response(status: 200, detail: "Verified", extra: token.map { [("token", .string($0))] } ?? [])
            }
        } catch {
            response = Response(error)
        }
        response.headers += crossOrigin.map { Response.Header(name: $0.0, value: $0.1) }
        response.formValues = sent
        log("\(rawValue) \(response.status) \"\(response.detail)\"\(who)")
        return response
    }

    /// The store OTP_STORE_URL names, built per request from the settings alone: nothing global to go stale
    /// when one process serves many requests.
    public static func store(_ settings: Settings) -> any OTPStore {
        switch settings.store.location {
        case .file: fileStore(settings)
        case .redis(let endpoint):
            RedisStore(endpoint: endpoint, prefix: settings.store.redisPrefix,
                       connectTimeoutMilliseconds: settings.store.connectTimeoutMilliseconds,
                       readTimeoutMilliseconds: settings.store.readTimeoutMilliseconds)
        }
    }

    public static func fileStore(_ settings: Settings, log: @escaping (String) -> Void = StandardError.log) -> any OTPStore {
        FileStore(path: settings.storeDirectory, lockTimeoutMilliseconds: settings.lockTimeoutMilliseconds,
                  log: { log("store: " + $0) })
    }

    /// One request, from CGI meta-variables and a way to read its body to the bytes of a CGI response. Both
    /// adapters call this: the CGI one with the process environment, the FastCGI one with a request's PARAMS.
    public func serve(_ env: [String: String], readBody: (Int) -> [UInt8], log: @escaping (String) -> Void,
                      makeStore: (Settings) -> any OTPStore = Endpoint.store) -> [UInt8] {
        let response: Response
        do {
            let request = try CGI.request(from: env, readBody: readBody)
            response = respond(to: request, environment: env, log: log, makeStore: makeStore)
        } catch {
            response = Response(error)
            log("\(rawValue) \(response.status) \"\(response.detail)\"")
        }
        return CGI.render(response, pageFor: HTMLPage.isPreferred(accept: env["HTTP_ACCEPT"]) ? self : nil)
    }

    /// The program: a FastCGI responder when started on a listening socket (fd 0, the FastCGI convention) or
    /// with `--listen ADDRESS`; otherwise the CGI program, which answers once and always exits 0.
    public func run() -> Never {
        // Past a file size limit (RLIMIT_FSIZE, which some hosts set) a write must fail with EFBIG and be
        // answered as a store failure, not kill the process with SIGXFSZ before it answers.
        signal(SIGXFSZ, SIG_IGN)
        let env = CGI.processEnvironment()
        // Under CGI, Apache turns a query string without "=" into arguments: a client must not reach
        // `--listen`, so arguments count only outside a CGI environment.
        let arguments = env["GATEWAY_INTERFACE"] == nil ? Array(CommandLine.arguments.dropFirst()) : []
        if arguments.isEmpty && !FastCGIResponder.isListeningSocket(0) {
            CGI.writeStandardOutput(serve(env, readBody: CGI.readStandardInput, log: StandardError.log))
            exit(0)
        }
        do {
            let maxRequests = try Settings.Reader(env: env).integer("OTP_FCGI_MAX_REQUESTS", default: 0, in: 0...Int.max)
            let listener = arguments.isEmpty ? 0 : try FastCGIListener.open(arguments)
            exit(FastCGIResponder(endpoint: self, listener: listener, maxRequests: maxRequests).run())
        } catch let error as OTPError {
            StandardError.log("\(rawValue): \(error.detail)")
            exit(2)
        } catch {
            StandardError.log("\(rawValue): \(error)")
            exit(2)
        }
    }
}

/// Diagnostics for Apache's error log; stdout carries only the HTTP answer.
public enum StandardError {
    public static func log(_ line: String) {
        let bytes = Array(("otp-cgi: " + line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
