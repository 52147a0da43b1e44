// A server-like child (Apache, `make serve`, chromedriver) started as a shell would start it, and stopped by a signal.
import Foundation

/// Not Foundation's `Process`: that passes on the test runner thread's blocked signals, and an Apache started
/// with SIGTERM blocked never stops. Here the child gets an empty signal mask, default handlers and its own
/// process group, so a signal to the group reaches everything it started, as Ctrl-C in a terminal does; and
/// none of the runner's descriptors, so a server never holds a test's sockets or files open.
public final class ServerProcess: @unchecked Sendable {
    public let pid: pid_t
    public let name: String
    public let outputFile: URL
    private var exitStatus: Int32?

    /// `arguments[0]` is a path; stdout and stderr go to `output`, stdin is /dev/null.
    public init(_ arguments: [String], environment: [String: String] = [:], output: URL) throws {
        var actions = posix_spawn_file_actions_t(), attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer { posix_spawn_file_actions_destroy(&actions); posix_spawnattr_destroy(&attributes) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        for fd in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap({ Int32($0) }) ?? [] where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0)=\($1)" }
        var pid = pid_t()
        let result = Self.withCStrings(arguments) { argv in
            Self.withCStrings(env) { envp in posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp) }
        }
        guard result == 0 else { throw TestFailure("cannot start \(arguments[0]): \(String(cString: strerror(result)))") }
        self.pid = pid
        name = arguments[0]
        outputFile = output
    }

    public var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

    /// Polls `condition`; fails with what the child printed if it exits first, or if nothing happens for two
    /// minutes (a hang, not a slow machine).
    public func waitWhileRunning(until condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(120)
        while !condition() {
            guard isRunning, Date() < deadline else { throw TestFailure("\(name) \(isRunning ? "hangs" : "exited"):\n\(output)") }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// Reaps the child once it has exited.
    public var isRunning: Bool {
        var status: Int32 = 0
        if exitStatus == nil && waitpid(pid, &status, WNOHANG) == pid { exitStatus = status }
        return exitStatus == nil
    }

    /// Sends `signal` to the child, or to its whole process group, and waits until the child has exited.
    @discardableResult
    public func stop(_ signal: Int32 = SIGTERM, group: Bool = false) -> Int32 {
        if isRunning { kill(group ? -pid : pid, signal) }
        var status: Int32 = 0
        while exitStatus == nil {
            if waitpid(pid, &status, 0) == pid { exitStatus = status } else if errno != EINTR { break }
        }
        return exitStatus ?? -1
    }

    private static func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}
