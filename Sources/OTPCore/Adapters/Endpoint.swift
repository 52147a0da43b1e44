// The two endpoints and the one place every request's outcome, and every error, passes through.
#if canImport(Glibc)
import Glibc
#endif

public enum Endpoint: String, Sendable {
    case generate, verify

    /// Answers one request. Every `OTPError` becomes its status and safe detail; nothing else can escape,
    /// because the service's methods throw only `OTPError`.
    public func respond(to request: Request, environment: [String: String], log: @escaping (String) -> Void,
                        makeStore: (Settings) -> any OTPStore = Endpoint.fileStore) -> Response {
        var response: Response
        var who = "", sent: [String: String] = [:]
        do throws(OTPError) {
            guard request.method == "POST" else { throw .methodNotAllowed }
            let settings = try Settings(environment: environment)
            let fields = try RequestFields.parse(body: request.body, contentType: request.contentType)
            for name in ["channel", "identifier"] { sent[name] = try? fields.string(name) }
            if let next = settings.token.allowedNext(try? fields.string("next")) { sent["next"] = next.text }
            let service = OTPService(settings: settings, store: makeStore(settings), log: log)
            let identifier = try service.identify(fields)
            who = " channel=\(identifier.channel.rawValue) to=\(identifier.masked)"
            switch self {
            case .generate:
                let expiresAt = try service.generate(for: identifier)
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
        response.formValues = sent
        log("\(rawValue) \(response.status) \"\(response.detail)\"\(who)")
        return response
    }

    public static func fileStore(_ settings: Settings) -> any OTPStore {
        FileStore(path: settings.storeDirectory, lockTimeoutMilliseconds: settings.lockTimeoutMilliseconds,
                  log: { StandardError.log("store: " + $0) })
    }

    /// The CGI program: read the environment and stdin, answer on stdout, always exit 0 after answering.
    public func runCGI() -> Never {
        let env = CGI.processEnvironment()
        let response: Response
        do {
            let request = try CGI.request(from: env, readBody: CGI.readStandardInput)
            response = respond(to: request, environment: env, log: StandardError.log)
        } catch {
            response = Response(error)
            StandardError.log("\(rawValue) \(response.status) \"\(response.detail)\"")
        }
        CGI.writeStandardOutput(CGI.render(response, pageFor: HTMLPage.isPreferred(accept: env["HTTP_ACCEPT"]) ? self : nil))
        exit(0)
    }
}

/// Diagnostics for Apache's error log; stdout carries only the HTTP answer.
public enum StandardError {
    public static func log(_ line: String) {
        let bytes = Array(("otp-cgi: " + line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
