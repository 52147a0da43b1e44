// The program `generate` and `verify` each are: a CGI program, or a FastCGI responder when started as one.
#if canImport(Glibc)
import Glibc
#endif
import Gateway
import Web
import OTP
import Platform

public enum Program {
    /// A FastCGI responder when started on a listening socket (fd 0, the FastCGI convention) or with
    /// `--listen ADDRESS`, and N of them on that socket with `--workers N`; the self-check with `--check`; otherwise the CGI program, which answers once and always
    /// exits 0.
    public static func run(_ endpoint: Endpoint) -> Never {
        // Past a file size limit (RLIMIT_FSIZE, which some hosts set) a write must fail with EFBIG and be
        // answered as a store failure, not kill the process with SIGXFSZ before it answers.
        signal(SIGXFSZ, SIG_IGN)
        // Under CGI, Apache turns a query string without "=" into arguments: a client must not reach
        // `--listen`, so arguments count only outside a CGI environment.
        let arguments = getenv("GATEWAY_INTERFACE") == nil ? Array(CommandLine.arguments.dropFirst()) : []
        if arguments.first == "--check" {
            exit(SelfCheck.run(Array(arguments.dropFirst()), environment: CGI.processEnvironment()) { print($0) })
        }
        if arguments.isEmpty && !FastCGIResponder.isListeningSocket(0) {
            let env = CGI.processEnvironment(keeping: SettingsReader.namePrefixes)
            let handler = endpoint.handler(wiring: Wire.perRequest)
            let log: (String) -> Void = Syslog.isChosen(by: env) ? { Syslog.log($0) } : { StandardError.log($0) }
            CGI.writeStandardOutput(handler(CGI.request(from: env, readBody: CGI.readStandardInput), log))
            exit(0)
        }
        do {
            exit(try serve(endpoint, environment: CGI.processEnvironment(), arguments: arguments))
        } catch let error as OTPError {
            StandardError.log("\(endpoint.rawValue): \(Response(error).detail)")
            exit(2)
        } catch {
            StandardError.log("\(endpoint.rawValue): \(error)")
            exit(2)
        }
    }

    /// The FastCGI responder, or `--workers N` of them on one socket, until they are told to stop. A function of its
    /// own that returns, rather than code before `exit`: Swift 6.3.1's optimizer released the dictionary a worker
    /// closure captured when the block ended in `exit` (release builds segfaulted at random).
    private static func serve(_ endpoint: Endpoint, environment env: [String: String], arguments: [String]) throws -> Int32 {
        let settings = try FastCGISettings(SettingsReader(env: env))
        var rest = arguments
        let workers = try Workers.count(in: &rest)
        guard !rest.isEmpty || FastCGIResponder.isListeningSocket(0) else {
            throw Workers.UsageError(description: "--workers needs a socket to serve: one on fd 0 (spawn-fcgi, systemd) or --listen ADDRESS")
        }
        let listener = rest.isEmpty ? 0 : try FastCGIListener.open(rest)
        let network = FastCGIListener.isNetwork(listener)
        let sources = SettingSources(environment: env, requestsMaySet: !network)
        // Each worker keeps its own store connections: made after the fork.
        let responder = { (parent: Int32?) in
            FastCGIResponder(listener: listener, maxRequests: settings.maxRequests, allowedPeers: network ? settings.webServerAddresses : nil,
                             parent: parent, keeping: SettingsReader.namePrefixes, own: env,
                             handler: endpoint.handler(wiring: KeptStores(sources: sources).wiring)).run()
        }
        return workers.map { Workers.run($0, worker: responder) } ?? responder(nil)
    }
}
