// swift-tools-version:6.2
// otp-cgi: two static CGI executables over one-way layers; no package dependencies by design.
//
//   generate, verify -> App -> Web -> Stores, Delivery -> OTP -> Digests -> Platform
//                              App, Web -> Gateway -> Platform
//
// A layer imports only those below it, so an arrow back up is a compile error (see docs/design.md).
// `Gateway` (CGI and FastCGI: bytes in, a handler's bytes out) knows nothing above `Platform`; `Web` (the endpoints,
// their fields, pages and token) is the only layer that knows HTTP's words.
//
// The two lowest are named for what they hold and so that no module a Swift user may add clashes with them: Apple's
// swift-system is the module `System` and swift-crypto the module `Crypto`, so a package beside either (or a reader
// of both) would meet two modules of one name. `Platform` is the operating system's calls (descriptors, errno,
// clock, random); `Digests` is SHA-256, HMAC and their encodings.
import PackageDescription

let package = Package(
    name: "otp-cgi",
    products: [
        .executable(name: "generate", targets: ["generate"]),
        .executable(name: "verify", targets: ["verify"]),
    ],
    dependencies: [],
    targets: [
        .target(name: "Platform"),
        .target(name: "Digests", dependencies: ["Platform"]),
        .target(name: "OTP", dependencies: ["Digests", "Platform"]),
        .target(name: "Stores", dependencies: ["OTP", "Digests", "Platform"]),
        .target(name: "Delivery", dependencies: ["OTP", "Digests", "Platform"]),
        .target(name: "Gateway", dependencies: ["Platform"]),
        .target(name: "Web", dependencies: ["Gateway", "OTP", "Digests", "Platform"]),
        .target(name: "App", dependencies: ["Web", "Gateway", "Stores", "Delivery", "OTP", "Platform"]),
        .executableTarget(name: "generate", dependencies: ["App"]),
        .executableTarget(name: "verify", dependencies: ["App"]),
        .executableTarget(name: "bench-fill", dependencies: ["Stores", "Gateway", "OTP", "Digests", "Platform"]),
        // What tests share and the executables never link: test data, the in-memory store and provider pauses, and
        // the harnesses (a redis-server, a site's CGI and FastCGI processes, local web servers, the README reader).
        .target(name: "TestSupport", dependencies: ["Gateway", "Stores", "OTP"], path: "Tests/TestSupport"),
        .testTarget(name: "PlatformTests", dependencies: ["Platform", "TestSupport"]),
        .testTarget(name: "DigestsTests", dependencies: ["Digests", "Platform"]),
        .testTarget(name: "OTPTests", dependencies: ["OTP", "Digests", "Platform", "TestSupport"]),
        .testTarget(name: "StoresTests", dependencies: ["Stores", "OTP", "Digests", "Platform", "TestSupport"]),
        .testTarget(name: "DeliveryTests", dependencies: ["Delivery", "OTP", "Platform", "TestSupport"]),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "Platform", "TestSupport"]),
        .testTarget(name: "WebTests", dependencies: ["Web", "Gateway", "OTP", "Digests", "Platform", "TestSupport"]),
        .testTarget(name: "AppTests", dependencies: ["App", "Web", "Gateway", "Stores", "Delivery", "OTP", "Digests", "Platform"]),
        .testTarget(name: "EndToEndTests", dependencies: ["App", "Web", "Gateway", "Stores", "Delivery", "OTP", "Digests", "Platform",
                                                          "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// A CGI request is a whole process, so the release flags are about starting cold (see bench/README.md): static
// executables, so nothing is loaded at run time; generic code specialised across modules; concrete generic types
// resolved by accessor calls rather than by demangling their names at run time; and, with lld, the functions the
// requests run and the data they touch placed together in the order of bench/symbol-order.txt, so that a process
// faults in fewer pages.
// `make symbol-order` renews that file; bench/check-symbol-order tells from the linked executables when it has
// gone stale (`make build` warns, `make bench` fails), so lld's warning per missing name is off.
let release = BuildSettingCondition.when(configuration: .release)
for target in package.targets {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .unsafeFlags(["-warnings-as-errors"], .when(configuration: .debug)),
        .unsafeFlags(["-cross-module-optimization", "-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors",
                      "-Xfrontend", "-function-sections"], release),
    ]
    if target.type == .executable {
        target.linkerSettings = (target.linkerSettings ?? []) + [
            .unsafeFlags(["-static-executable", "-use-ld=lld",
                          "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/bench/symbol-order.txt",
                          "-Xlinker", "--no-warn-symbol-ordering"], release),
        ]
    }
}
