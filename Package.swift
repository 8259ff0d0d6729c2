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
        // Benchmarks (never run by tests).
        .target(name: "DauysBench", dependencies: ["DauysCrypto", "COpenSSL"]),
        // The command-line tool.
        .executableTarget(
            name: "dauys",
            dependencies: [
                "DauysCrypto", "DauysBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DauysCryptoTests", dependencies: ["DauysCrypto"], exclude: ["Vectors"]),
    ]
)
