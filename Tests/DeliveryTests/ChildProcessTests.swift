// The spawn helper: what reaches the child (stdin, fd 3, a bare environment) and how it ends (status, deadline).
import Testing
@testable import Delivery
import OTP

@Suite struct ChildProcessTests {
    func run(_ path: String, _ arguments: [String] = [], input: String = "", descriptor3: String? = nil,
             seconds: Int = 10) throws -> ChildOutcome {
        try ChildProcess(path: path, arguments: arguments, setting: "TEST_PATH")
            .run(input: Array(input.utf8), descriptor3: descriptor3.map { Array($0.utf8) }, seconds: seconds)
    }

    @Test func stdinReachesTheChildAndStdoutComesBack() throws {
        let outcome = try run("/bin/cat", input: "From: a\r\n\r\nbody\r\n")
        #expect(outcome.exitStatus == 0)
        #expect(String(decoding: outcome.output, as: UTF8.self) == "From: a\r\n\r\nbody\r\n")
    }

    @Test func descriptor3CanBeReadAsDevFd3() throws {
        let outcome = try run("/bin/cat", ["/dev/fd/3"], descriptor3: "user = \"a:b\"\n")
        #expect(String(decoding: outcome.output, as: UTF8.self) == "user = \"a:b\"\n")
    }

    @Test func theEnvironmentIsOnlyPATH() throws {
        let outcome = try run("/usr/bin/env")
        #expect(String(decoding: outcome.output, as: UTF8.self) == "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n")
    }

    @Test func aFailingChildReportsItsStatusAndStderr() throws {
        let outcome = try run("/bin/sh", ["-c", "echo refused >&2; exit 3"])
        #expect(outcome.exitStatus == 3 && outcome.errors == "refused")
        #expect(outcome.ending == "exited with status 3")
    }

    @Test func aChildThatReadsNothingCannotKillUsWithSIGPIPE() throws {
        let outcome = try run("/bin/true", input: String(repeating: "x", count: 1 << 20))
        #expect(outcome.exitStatus == 0)
    }

    @Test func aMissingProgramNamesItsSetting() {
        #expect(throws: DeliveryFault("cannot start /nonexistent/curl (TEST_PATH): No such file or directory")) {
            try run("/nonexistent/curl")
        }
    }

    @Test func aChildPastItsDeadlineIsKilled() {
        #expect(throws: DeliveryFault("/bin/sleep did not finish within 1 s and was killed")) {
            try run("/bin/sleep", ["30"], seconds: 1)
        }
    }

    /// A child that leaves a descendant holding its stdout must not make us wait for the descendant.
    @Test func aChildIsDoneWhenItExitsEvenIfADescendantKeepsItsOutputOpen() throws {
        let outcome = try run("/bin/sh", ["-c", "echo queued; sleep 15 & exit 0"], seconds: 5)
        #expect(outcome.exitStatus == 0 && String(decoding: outcome.output, as: UTF8.self) == "queued\n")
    }
}
