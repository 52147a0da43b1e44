// swift-tools-version:6.0
// otp-cgi: two static CGI executables over one core library; no package dependencies by design.
import PackageDescription

let package = Package(
    name: "otp-cgi",
    products: [
        .executable(name: "generate", targets: ["generate"]),
        .executable(name: "verify", targets: ["verify"]),
        .library(name: "OTPCore", targets: ["OTPCore"]),
    ],
    dependencies: [],
    targets: [
        .target(name: "OTPCore"),
        .executableTarget(name: "generate", dependencies: ["OTPCore"]),
        .executableTarget(name: "verify", dependencies: ["OTPCore"]),
        .executableTarget(name: "bench-fill", dependencies: ["OTPCore"]),
        .testTarget(name: "OTPCoreTests", dependencies: ["OTPCore"]),
        .testTarget(name: "EndToEndTests", dependencies: ["OTPCore"]),
    ],
    swiftLanguageModes: [.v6]
)

// Strict settings on every target, in one place (as swift-log does).
for target in package.targets {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .unsafeFlags(["-warnings-as-errors"], .when(configuration: .debug)),
    ]
}
