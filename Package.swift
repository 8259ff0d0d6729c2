// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Dauys",
    products: [
        .executable(name: "dauys", targets: ["dauys"]),
        .library(name: "DauysCrypto", targets: ["DauysCrypto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.60.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
    ],
    targets: [
        // The system OpenSSL libcrypto: P-256 points and BIGNUM arithmetic.
        .systemLibrary(
            name: "COpenSSL",
            path: "Sources/COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // Pure cryptographic core: groups, ElGamal, proofs, threshold trustees, ballots. No I/O.
        .target(
            name: "DauysCrypto",
            dependencies: ["COpenSSL", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The election record: manifest, board entries and their payloads, results and the
        // decision rules, the record file format. Depends on the core only.
        .target(name: "DauysRecord", dependencies: ["DauysCrypto", .product(name: "Crypto", package: "swift-crypto")]),
        // The independent verifier: core + record format, nothing else.
        .target(name: "DauysVerifier", dependencies: ["DauysCrypto", "DauysRecord"]),
        // The referendum lifecycle on a bulletin board: phases, key ceremony, credentials,
        // casting, tally, decryption, results.
        .target(
            name: "DauysReferendum",
            dependencies: [
                "DauysCrypto", "DauysRecord", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]),
        // The voter registry: IIN checks, CSV import, encryption of personal data, letters.
        .target(
            name: "DauysRegistry", dependencies: ["DauysRecord", .product(name: "Crypto", package: "swift-crypto")]),
        // Paper precincts: count protocols, control relations, signatures, aggregation with e-votes.
        .target(
            name: "DauysPaper",
            dependencies: ["DauysCrypto", "DauysRecord", .product(name: "Crypto", package: "swift-crypto")]),
        // Storage at the edge: the board and the voter registry in SQLite (GRDB).
        .target(
            name: "DauysStore",
            dependencies: [
                "DauysCrypto", "DauysRecord", "DauysReferendum", "DauysRegistry",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]),
        // The HTTP server: roles, voter sign-in, casting with group commit, public reads, metrics.
        .target(
            name: "DauysServer",
            dependencies: [
                "DauysCrypto", "DauysRecord", "DauysReferendum", "DauysRegistry", "DauysStore", "DauysPaper",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            resources: [.embedInCode("Web")]),
        // Benchmarks (never run by tests).
        .target(name: "DauysBench", dependencies: ["DauysCrypto", "COpenSSL"]),
        // The command-line tool.
        .executableTarget(
            name: "dauys",
            dependencies: [
                "DauysCrypto", "DauysBench", "DauysRecord", "DauysReferendum", "DauysRegistry", "DauysStore",
                "DauysVerifier", "DauysServer", "DauysPaper",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "DauysCryptoTests", dependencies: ["DauysCrypto"], exclude: ["Vectors"]),
        .testTarget(
            name: "DauysTests",
            dependencies: [
                "DauysCrypto", "DauysRecord", "DauysReferendum", "DauysRegistry", "DauysStore", "DauysVerifier",
                "DauysServer", "DauysPaper",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
    ]
)
