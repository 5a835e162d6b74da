// swift-tools-version:6.1
import Foundation
import PackageDescription

// A separate package so benchmark-only code never ships in the product. SwiftPM names a path dependency after
// its directory, so the parent checkout's directory name is looked up rather than assumed.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
    name: "CountersignBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        // The peer for the ledger's Merkle overhead: plain inserts of the same bytes through the same SQLite.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(name: "BenchSQLite", path: "Sources/BenchSQLite"),
        .executableTarget(
            name: "CELBenchmark",
            dependencies: [.product(name: "CEL", package: root.lastPathComponent)],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .executableTarget(
            name: "LedgerBenchmark",
            dependencies: [
                .product(name: "CountersignEncoding", package: root.lastPathComponent),
                .product(name: "CountersignLedger", package: root.lastPathComponent),
                .product(name: "CountersignSQLite", package: root.lastPathComponent),
                .product(name: "CountersignPostgres", package: root.lastPathComponent),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                "BenchSQLite",
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .executableTarget(
            name: "CanaryBenchmark",
            dependencies: [.product(name: "CountersignCanary", package: root.lastPathComponent)],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .executableTarget(
            name: "SupplyChainBenchmark",
            dependencies: [
                .product(name: "CountersignSupplyChain", package: root.lastPathComponent),
                .product(name: "CountersignCore", package: root.lastPathComponent),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .executableTarget(
            name: "KeylessBenchmark",
            dependencies: [.product(name: "CountersignSupplyChain", package: root.lastPathComponent)],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .executableTarget(
            name: "GateBenchmark",
            dependencies: [
                .product(name: "CountersignCore", package: root.lastPathComponent),
                .product(name: "CountersignEncoding", package: root.lastPathComponent),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
