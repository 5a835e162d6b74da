// swift-tools-version:6.1
import PackageDescription

/// Strict settings shared by every target (STYLE.md): Swift 6 language mode plus the upcoming features that
/// make dependencies and existentials explicit.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Countersign",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CountersignEncoding", targets: ["CountersignEncoding"]),
        .library(name: "CEL", targets: ["CEL"]),
        .library(name: "CountersignCore", targets: ["CountersignCore"]),
        .library(name: "CountersignLedger", targets: ["CountersignLedger"]),
        .library(name: "CountersignSQLite", targets: ["CountersignSQLite"]),
        .library(name: "CountersignPostgres", targets: ["CountersignPostgres"]),
        .library(name: "CountersignCanary", targets: ["CountersignCanary"]),
        .library(name: "CountersignSupplyChain", targets: ["CountersignSupplyChain"]),
        .library(name: "CountersignControl", targets: ["CountersignControl"]),
        .library(name: "CountersignServer", targets: ["CountersignServer"]),
        .executable(name: "countersign", targets: ["countersign"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        // Traces over OTLP/HTTP only: the gRPC exporter (a default trait) would build gRPC for nothing.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // The formats every other target reads and writes: one strict JSON reader, the RFC 8785 writer, Codable to
        // and from JSON values without text, RFC 3339 times, hex and SHA-256. Depends on nothing else here.
        .target(
            name: "CountersignEncoding",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // The expression language. Depends on nothing else in Countersign but its encodings.
        .target(name: "CEL", dependencies: ["CountersignEncoding"], swiftSettings: strictSettings),
        // The pure decision engine: policy documents, tiers, controls, separation of duties, freezes. No I/O
        // beyond reading policy files, no clock reads.
        .target(
            name: "CountersignCore",
            dependencies: ["CEL", "CountersignEncoding", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        // The tamper-evident ledger: canonical JSON entries, the RFC 6962 Merkle tree and its proofs, signed
        // checkpoints.
        .target(
            name: "CountersignLedger",
            dependencies: [
                "CountersignEncoding", "CountersignCore", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // The system SQLite's C API: the embedded store reads proofs and verifies through it directly, where GRDB's
        // per-access queue and transaction machinery cost more than the lookups themselves.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // The embedded ledger store: one SQLite file (WAL, synchronous=FULL), append-only in the database.
        .target(
            name: "CountersignSQLite",
            dependencies: [
                "CountersignEncoding", "CountersignLedger", "CSQLite", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        // The scale-out ledger store: PostgreSQL shared by any number of nodes, append-only in the database.
        .target(
            name: "CountersignPostgres",
            dependencies: [
                "CountersignEncoding", "CountersignLedger", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        // Canary analysis: the statistics, the Kayenta-compatible and countersign-v1 judges, analysis over time,
        // Argo-compatible analysis runs (conditions in CEL, templates in YAML) and the metric providers that feed
        // them over HTTP.
        .target(
            name: "CountersignCanary",
            dependencies: [
                "CEL", "CountersignEncoding", .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        // Artifact gating: OCI references and the registry client, cosign signatures, DSSE/in-toto/SLSA
        // provenance checked under ArtifactPolicy, and Kubernetes admission. RSA keys come from swift-crypto's
        // extras; BigInt gives RSASSA-PSS the raw public operation swift-crypto does not expose (its PSS verifier
        // accepts only a salt as long as the hash, and Go's and Python's signers default to the longest salt).
        // Keyless verification reads Fulcio certificates with swift-certificates and swift-asn1, and proves log
        // inclusion with the ledger's RFC 6962 Merkle code (the same algorithm, one implementation).
        .target(
            name: "CountersignSupplyChain",
            dependencies: [
                "CEL", "CountersignCore", "CountersignEncoding", "CountersignLedger",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "BigInt", package: "BigInt"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings),
        // The control plane's operations without a transport: deploy requests, decisions, reviews, tokens and
        // sessions, the GitHub mapping, the notification outbox, the demo history. It wires the engine, the ledger,
        // the canary judge and the supply chain together and throws one error type (`ControlError`); no web
        // framework.
        .target(
            name: "CountersignControl",
            dependencies: [
                "CountersignEncoding", "CountersignCore", "CountersignLedger", "CountersignCanary",
                "CountersignSupplyChain", "CountersignMetrics",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings),
        // The control plane's HTTP server (Hummingbird 2): the API, the web UI, webhooks, admission, the Kayenta
        // endpoints and /metrics over the control layer. Maps each ControlError code to an HTTP status once.
        .target(
            name: "CountersignServer",
            dependencies: [
                "CountersignControl", "CountersignEncoding", "CountersignCore", "CountersignLedger",
                "CountersignCanary", "CountersignSupplyChain", "CountersignMetrics",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/Web")],
            swiftSettings: strictSettings),
        // The HTTP API as a client calls it: the operations the CLI's client commands use, each checked against the
        // OpenAPI document in tests, and one caller with the token, a deadline and the server's error as its own.
        .target(
            name: "CountersignClient",
            dependencies: [
                "CountersignControl", "CountersignEncoding",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        // Gate metrics: the DORA keys and how the gates perform, computed from the ledger's projections.
        .target(
            name: "CountersignMetrics", dependencies: ["CountersignEncoding", "CountersignLedger"],
            swiftSettings: strictSettings),
        // Shared test support: runs the real CLI binary, the store conformance suite, a scratch PostgreSQL.
        .target(
            name: "CountersignTesting", dependencies: ["CountersignCore", "CountersignEncoding", "CountersignLedger"],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "countersign",
            dependencies: [
                "CEL",
                "CountersignEncoding",
                "CountersignCore",
                "CountersignLedger",
                "CountersignSQLite",
                "CountersignPostgres",
                "CountersignCanary",
                "CountersignSupplyChain",
                "CountersignControl",
                "CountersignServer",
                "CountersignMetrics",
                "CountersignClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CountersignEncodingTests", dependencies: ["CountersignEncoding"], swiftSettings: strictSettings),
        .testTarget(
            name: "CountersignCanaryTests",
            dependencies: [
                "CountersignEncoding", "CountersignCanary",
            ],
            exclude: ["Vectors"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "CountersignSupplyChainTests",
            dependencies: [
                "CountersignSupplyChain", "CountersignCore", "CountersignTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Vectors"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "CountersignControlTests",
            dependencies: [
                "CountersignControl", "CountersignCore", "CountersignLedger", "CountersignMetrics", "CountersignSQLite",
                "CountersignTesting",
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "CountersignServerTests",
            dependencies: [
                "CountersignEncoding", "CountersignControl", "CountersignSupplyChain",
                "CountersignServer", "CountersignLedger", "CountersignCore", "CountersignTesting", "CountersignCanary",
                "CountersignSQLite", "CountersignClient",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "CELTests",
            dependencies: [
                "CountersignEncoding", "CEL", "CountersignTesting",
            ], exclude: ["Vectors"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "CountersignCoreTests",
            dependencies: [
                "CountersignEncoding", "CountersignCore", "CEL", "CountersignTesting",
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "CountersignLedgerTests",
            dependencies: [
                "CountersignEncoding", "CountersignLedger", "CountersignTesting",
            ], exclude: ["Vectors"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "CountersignSQLiteTests",
            dependencies: [
                "CountersignEncoding", "CountersignSQLite", "CountersignLedger", "CountersignTesting",
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "CountersignMetricsTests",
            dependencies: [
                "CountersignEncoding",
                "CountersignMetrics", "CountersignSQLite", "CountersignPostgres", "CountersignLedger",
                "CountersignTesting",
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "CountersignPostgresTests",
            dependencies: [
                "CountersignPostgres", "CountersignLedger", "CountersignSQLite", "CountersignTesting",
            ],
            swiftSettings: strictSettings),
    ],
    swiftLanguageModes: [.v6]
)
