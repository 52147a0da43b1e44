// swift-tools-version:6.2
// otp-cgi: two static CGI executables over one-way layers; no package dependencies by design.
//
//   generate, verify -> App -> HTTP, Stores, Delivery -> OTP -> Crypto -> System
//
// A layer imports only those below it, so an arrow back up is a compile error (see "How it is built" in the README).
import PackageDescription

let package = Package(
    name: "otp-cgi",
    products: [
        .executable(name: "generate", targets: ["generate"]),
        .executable(name: "verify", targets: ["verify"]),
    ],
    dependencies: [],
    targets: [
        .target(name: "System"),
        .target(name: "Crypto", dependencies: ["System"]),
        .target(name: "OTP", dependencies: ["Crypto", "System"]),
        .target(name: "Stores", dependencies: ["OTP", "Crypto", "System"]),
        .target(name: "Delivery", dependencies: ["OTP", "Crypto", "System"]),
        .target(name: "HTTP", dependencies: ["OTP", "Crypto", "System"]),
        .target(name: "App", dependencies: ["HTTP", "Stores", "Delivery", "OTP", "System"]),
        .executableTarget(name: "generate", dependencies: ["App"]),
        .executableTarget(name: "verify", dependencies: ["App"]),
        .executableTarget(name: "bench-fill", dependencies: ["Stores", "HTTP", "OTP", "Crypto", "System"]),
        // Test data every unit test target shares (the combining marks tried after each escaper's characters).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SystemTests", dependencies: ["System", "TestSupport"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto", "System"]),
        .testTarget(name: "OTPTests", dependencies: ["OTP", "Stores", "Crypto", "System", "TestSupport"]),
        .testTarget(name: "StoresTests", dependencies: ["Stores", "OTP", "Crypto", "System"]),
        .testTarget(name: "DeliveryTests", dependencies: ["Delivery", "OTP", "System", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "OTP", "Stores", "Crypto", "System", "TestSupport"]),
        .testTarget(name: "AppTests", dependencies: ["App", "HTTP", "Stores", "Delivery", "OTP", "Crypto", "System"]),
        .testTarget(name: "EndToEndTests", dependencies: ["App", "HTTP", "Stores", "Delivery", "OTP", "Crypto", "System"]),
    ],
    swiftLanguageModes: [.v6]
)

// A CGI request is a whole process, so the release flags are about starting cold (see bench/README.md): static
// executables, so nothing is loaded at run time; generic code specialised across modules; concrete generic types
// resolved by accessor calls rather than by demangling their names at run time; and, with lld, the functions the
// requests run placed together in the order of bench/symbol-order.txt, so that a process faults in fewer pages.
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
