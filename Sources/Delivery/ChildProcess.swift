// Runs a helper program (curl, sendmail) the one way we allow: posix_spawn, no shell, a bare environment, a deadline.
#if canImport(Glibc)
import Glibc
#endif
import OTP
import Platform

/// How a child ended and what it wrote.
struct ChildOutcome {
    /// The exit status; nil when a signal ended the child.
    let exitStatus: Int32?
    let output: [UInt8]
    let errors: String

    var ending: String { exitStatus.map { "exited with status \($0)" } ?? "was killed by a signal" }
}

struct ChildProcess {
    let path: String
    let arguments: [String]
    /// The setting that names `path`, so that a log line says what to fix.
    let setting: String

    /// Only PATH, for sendmail's own helpers. Nothing is inherited: under CGI a request's `Proxy` header
    /// arrives as HTTP_PROXY, which curl would obey (httpoxy), and no secret may travel this way.
    static let environment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]
    static let outputLimit = 1 << 16

    /// Feeds `input` to the child's stdin and, when given, `descriptor3` to its fd 3 (read as `/dev/fd/3`),
    /// the way secrets reach curl without showing in argv or the environment. A child still running after
    /// `seconds` is killed.
    func run(input: [UInt8], descriptor3: [UInt8]? = nil, seconds: Int) throws(DeliveryFault) -> ChildOutcome {
        let fds = Descriptors()
        // Sockets rather than pipes: they are born close-on-exec, and writing to a child that stopped reading
        // costs an EPIPE (MSG_NOSIGNAL), not a SIGPIPE that would kill this process before it answers.
        let (stdinParent, stdinChild) = try fds.socketPair()
        let (outputParent, outputChild) = try fds.socketPair()
        let (errorsParent, errorsChild) = try fds.socketPair()
        var mapping = [(stdinChild, Int32(0)), (outputChild, 1), (errorsChild, 2)]
        if let descriptor3 {
            // A pipe, as /dev/fd/3 cannot reopen a socket; filled before the child starts, so this write
            // can neither block nor meet a reader that is gone.
            let (readEnd, writeEnd) = try fds.pipe()
            _ = fcntl(writeEnd, F_SETFL, O_NONBLOCK)
            guard descriptor3.withUnsafeBytes({ write(writeEnd, $0.baseAddress, $0.count) }) == descriptor3.count else {
                throw DeliveryFault("cannot pass \(descriptor3.count) bytes to \(path) on fd 3")
            }
            fds.close(writeEnd)
            mapping.append((readEnd, 3))
        }
        let pid = try spawn(mapping)
        mapping.forEach { fds.close($0.0) }
        let deadline = Clock.monotonicMilliseconds() + Int64(seconds) * 1000
        let (output, errors, ended) = try exchange(with: pid, input: input, stdin: stdinParent, output: outputParent,
                                                   errors: errorsParent, fds: fds, deadline: deadline, seconds: seconds)
        let status = if let ended { ended } else { try waitForExit(pid, deadline: deadline, seconds: seconds) }
        return ChildOutcome(exitStatus: status & 0x7f == 0 ? (status >> 8) & 0xff : nil, output: output,
                            errors: String(decoding: errors, as: UTF8.self).trimmingASCIIWhitespace())
    }

    /// Writes stdin and reads stdout and stderr at once, so that neither side can block the other, until all
    /// are done. Returns the exit status too when the child is seen to end before its streams do: a descendant
    /// of it (a mail system's queue runner) may hold them open long after.
    private func exchange(with pid: pid_t, input: [UInt8], stdin: Int32, output: Int32, errors: Int32, fds: Descriptors,
                          deadline: Int64, seconds: Int) throws(DeliveryFault) -> ([UInt8], [UInt8], Int32?) {
        var pending = input[...]
        var collected: [Int32: [UInt8]] = [output: [], errors: []]
        for fd in [output, errors] { _ = fcntl(fd, F_SETFL, O_NONBLOCK) }
        if pending.isEmpty { fds.close(stdin) }
        while !pending.isEmpty || fds.isOpen(output) || fds.isOpen(errors) {
            let left = deadline - Clock.monotonicMilliseconds()
            if left <= 0 { throw killed(pid, after: seconds) }
            var polled = [pollfd(fd: pending.isEmpty ? -1 : stdin, events: Int16(POLLOUT), revents: 0)]
                + [output, errors].map { pollfd(fd: fds.isOpen($0) ? $0 : -1, events: Int16(POLLIN), revents: 0) }
            let ready: Int
            do throws(SystemError) { ready = try Syscall.poll(&polled, milliseconds: min(left, 100)) } catch { throw DeliveryFault("\(error)") }
            if ready == 0, let status = reap(pid, waiting: false) {
                [output, errors].filter(fds.isOpen).forEach { collected[$0]! += drain($0, fds) }
                return (collected[output]!, collected[errors]!, status)
            }
            if polled[0].revents != 0 {
                // A child that stopped reading (EPIPE) gets no more; what it made of it shows in its exit status.
                do throws(SystemError) { pending = pending.dropFirst(try Syscall.sendSome(stdin, pending) ?? 0) } catch { pending = [] }
                if pending.isEmpty { fds.close(stdin) }
            }
            for (index, fd) in [(1, output), (2, errors)] where polled[index].revents != 0 {
                collected[fd]! += drain(fd, fds)
            }
        }
        return (collected[output]!, collected[errors]!, nil)
    }

    /// The streams are closed, so the child is exiting; it still gets no more than the deadline.
    private func waitForExit(_ pid: pid_t, deadline: Int64, seconds: Int) throws(DeliveryFault) -> Int32 {
        while true {
            if let status = reap(pid, waiting: false) { return status }
            if Clock.monotonicMilliseconds() >= deadline { throw killed(pid, after: seconds) }
            Clock.sleep(milliseconds: 2)
        }
    }

    private func spawn(_ mapping: [(Int32, Int32)]) throws(DeliveryFault) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (from, to) in mapping { posix_spawn_file_actions_adddup2(&actions, from, to) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with SIGPIPE at its default and no signal blocked, whatever this process did.
        var defaults = sigset_t(), none = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = Self.environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else { throw DeliveryFault("cannot start \(path) (\(setting)): \(Errno(result))") }
        return pid
    }

    /// The exit status as waitpid reports it, or nil while the child runs (or when `waiting` is false).
    private func reap(_ pid: pid_t, waiting: Bool) -> Int32? { Syscall.reap(pid, waiting: waiting) }

    private func killed(_ pid: pid_t, after seconds: Int) -> DeliveryFault {
        Glibc.kill(pid, SIGKILL)
        _ = reap(pid, waiting: true)
        return DeliveryFault("\(path) did not finish within \(seconds) s and was killed")
    }

    /// Reads what is there now, closing `fd` at end of file; past `outputLimit` bytes the rest is dropped.
    private func drain(_ fd: Int32, _ fds: Descriptors) -> [UInt8] {
        var out: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let received: Int?
            do throws(SystemError) { received = try Syscall.receive(fd, into: &chunk, socket: false) } catch { fds.close(fd); return out }
            guard let n = received else { return out }
            if n == 0 { fds.close(fd); return out }
            if out.count < Self.outputLimit { out += chunk[..<n] }
        }
    }
}

/// Every descriptor a run opens, so that each is closed once whichever way the run ends.
private final class Descriptors {
    private var open: Set<Int32> = []

    deinit { open.forEach { Glibc.close($0) } }

    func isOpen(_ fd: Int32) -> Bool { open.contains(fd) }

    func close(_ fd: Int32) {
        if open.remove(fd) != nil { Glibc.close(fd) }
    }

    /// (read end, write end). pipe2 is out of Swift's reach, so until `keep` marks them there is an instant in
    /// which a spawn from another thread would inherit the ends: a CGI process has no other thread.
    func pipe() throws(DeliveryFault) -> (Int32, Int32) {
        var ends: [Int32] = [0, 0]
        guard Glibc.pipe(&ends) == 0 else { throw DeliveryFault("pipe: \(Errno.current)") }
        return (try keep(ends[0]), try keep(ends[1]))
    }

    func socketPair() throws(DeliveryFault) -> (Int32, Int32) {
        var ends: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw DeliveryFault("socketpair: \(Errno.current)")
        }
        return (try keep(ends[0]), try keep(ends[1]))
    }

    /// Moves `fd` above 3 and marks it close-on-exec: copying the child's ends onto 0 to 3 can then never
    /// overwrite one not yet copied (possible if this process was started with one of 0 to 2 closed).
    private func keep(_ fd: Int32) throws(DeliveryFault) -> Int32 {
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, 4)
        Glibc.close(fd)
        guard moved >= 0 else { throw DeliveryFault("fcntl: \(Errno.current)") }
        open.insert(moved)
        return moved
    }
}
