// swift-tools-version:6.1
import Foundation
import PackageDescription

// A separate package so benchmark-only code never ships in the product. SwiftPM names a path dependency after
// its directory, so the parent checkout's directory name is looked up rather than assumed.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
    name: "CountersignBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "CELBenchmark",
            dependencies: [.product(name: "CEL", package: root.lastPathComponent)],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .executableTarget(
            name: "GateBenchmark",
            dependencies: [.product(name: "CountersignCore", package: root.lastPathComponent)],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
