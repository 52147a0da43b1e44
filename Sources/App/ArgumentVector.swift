// Where `CommandLine.arguments` comes from in these executables: the process's initial stack, found from `environ`.
//
// Swift's runtime finds argv on Linux in a static constructor that reads /proc/self/maps and scans each of its lines
// with sscanf: six system calls and about 50,000 instructions (6% of a CGI verify) in every process, though a CGI
// request never reads its arguments (`Program.run`). The constructor lives in the runtime's CommandLine.cpp, which
// the linker takes from the static library only to define the one function below: defined here, under that name
// and with its calling convention (`SWIFT_CC(swift)`, `char **(int *)`), it is never linked. Should a toolchain
// name or use it otherwise, the link fails on a duplicate symbol or `CommandLine.arguments` comes back empty; the
// tests that start a responder with `--listen` and `--workers` fail either way.
#if canImport(Glibc)
import Glibc
#endif

/// argv and argc as the kernel laid them out (System V ABI, the process's initial stack): argc, then argv's pointers
/// and its null, then the environment's pointers, where `environ` points until a program replaces it (neither
/// executable does). Walking back from `environ`'s first entry over argv's null, the first word that is not a pointer
/// above the stack's strings is argc; it must count the pointers walked, or no arguments are reported.
@_silgen_name("_swift_stdlib_getUnsafeArgvArgc")
func argumentVector(_ count: UnsafeMutablePointer<Int32>) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    count.pointee = 0
    let environment = UnsafeMutableRawPointer(environ).assumingMemoryBound(to: UInt.self)
    guard environment[-1] == 0 else { return nil }
    var walked = 0
    while walked < 1 << 20 {
        let word = environment[-2 - walked]
        if word < UInt(bitPattern: environment) {
            guard word == UInt(walked) else { return nil }
            count.pointee = Int32(walked)
            return UnsafeMutableRawPointer(environment - 1 - walked).assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self)
        }
        walked += 1
    }
    return nil
}
