// swift-tools-version:6.0
// Scratch package for issue 18's pieces while Sources/ is being split into modules (issue 14); not shipped.
import PackageDescription

let package = Package(
    name: "draft18",
    targets: [
        .target(name: "OTP"),
        .target(name: "Delivery", dependencies: ["OTP"]),
        .target(name: "HTTP", dependencies: ["OTP"]),
        .testTarget(name: "DraftTests", dependencies: ["OTP", "Delivery", "HTTP"]),
    ],
    swiftLanguageModes: [.v6]
)
