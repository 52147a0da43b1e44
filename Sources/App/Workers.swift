// `--workers N`: N responder processes accepting on one listening socket, kept at N by their parent.
#if canImport(Glibc)
import Glibc
#endif
import Platform

/// A responder answers one request at a time, so behind one process a request that waits on a slow provider
/// (an SMTP relay taking seconds) makes every request behind it wait too, even one that needs no provider. N
/// processes blocked in `accept` on the same socket share it as spawn-fcgi's `-F N` does: the kernel hands each
/// connection to one free process. The parent only supervises: it replaces a worker that ends (after
/// OTP_FCGI_MAX_REQUESTS, or killed), passes SIGTERM on so that each finishes its request in flight, and stops
/// when a worker fails at once (exit status other than 0), since its replacements would fail the same way.
enum Workers {
    /// Most workers per socket: each is a whole process with its own store connections.
    static let maximum = 256

    /// `--workers N` taken out of `arguments`; nil when absent. Throws a usage message for anything but 1...256.
    static func count(in arguments: inout [String]) throws -> Int? {
        guard let index = arguments.firstIndex(of: "--workers") else { return nil }
        guard index + 1 < arguments.count, let count = Int(arguments[index + 1]), (1...maximum).contains(count) else {
            throw UsageError(description: "usage: --workers N, N from 1 to \(maximum)")
        }
        arguments.removeSubrange(index...index + 1)
        return count
    }

    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    /// Forks `count` children that each run `worker` (a responder on the inherited socket, given the read end of a
    /// pipe whose write end only this parent holds: it ends when the parent does, however) and exit with its status;
    /// returns the parent's exit status once every child has ended.
    static func run(_ count: Int, worker: (_ parent: Int32) -> Int32) -> Int32 {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            StandardError.log("workers: pipe: \(Errno.current)")
            return 1
        }
        // Neither end reaches a program a worker starts (curl, sendmail), which would keep the pipe open.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        watch = (ends[0], ends[1])
        children = UnsafeMutablePointer<pid_t>.allocate(capacity: count)
        children.initialize(repeating: 0, count: count)
        slots = count
        // SIGTERM is blocked while a child is forked, so that none reaches a child before its responder has its
        // own handler (the responder unblocks it); in the parent the handler passes it to every child.
        var terminate = sigset_t()
        sigemptyset(&terminate)
        sigaddset(&terminate, SIGTERM)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in Workers.stopAll() }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGTERM, &action, nil)

        for slot in 0..<count { guard start(slot, worker, terminate) else { stopAll(); break } }
        var status: Int32 = 0
        while true {
            var code: Int32 = 0
            let pid = waitpid(-1, &code, 0)
            if pid < 0 {
                if errno == EINTR { continue }
                break // ECHILD: every child has ended
            }
            guard let slot = (0..<count).first(where: { children[$0] == pid }) else { continue }
            children[slot] = 0
            let failed = code & 0x7f == 0 && (code >> 8) & 0xff != 0
            if failed && !stopping {
                StandardError.log("workers: worker \(pid) failed with status \((code >> 8) & 0xff); stopping the others")
                status = 1
                stopAll()
            }
            if !stopping && !start(slot, worker, terminate) {
                status = 1
                stopAll()
            }
        }
        return status
    }

    /// Forks one worker into `slot`; false when fork fails.
    private static func start(_ slot: Int, _ worker: (_ parent: Int32) -> Int32, _ terminate: sigset_t) -> Bool {
        var blocked = terminate, previous = sigset_t()
        sigprocmask(SIG_BLOCK, &blocked, &previous)
        defer { sigprocmask(SIG_SETMASK, &previous, nil) }
        let pid = fork()
        if pid == 0 {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = SIG_DFL
            sigaction(SIGTERM, &action, nil)
            close(watch.write)
            exit(worker(watch.read))
        }
        guard pid > 0 else {
            StandardError.log("workers: fork: \(Errno.current)")
            return false
        }
        children[slot] = pid
        return true
    }

    /// Async-signal-safe: reads a fixed array and calls kill.
    private static func stopAll() {
        stopping = true
        for slot in 0..<slots where children[slot] > 0 { kill(children[slot], SIGTERM) }
    }

    /// The children's pids, read by the signal handler: fixed storage made before the first fork.
    nonisolated(unsafe) private static var children = UnsafeMutablePointer<pid_t>.allocate(capacity: 1)
    nonisolated(unsafe) private static var slots = 0
    nonisolated(unsafe) private static var stopping = false
    nonisolated(unsafe) private static var watch: (read: Int32, write: Int32) = (-1, -1)
}
