// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "DaBroker",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DaBrokerCore", targets: ["DaBrokerCore"]),
        .library(name: "DaBrokerSQL", targets: ["DaBrokerSQL"]),
        .library(name: "DaBrokerServer", targets: ["DaBrokerServer"]),
        .library(name: "DaBrokerClient", targets: ["DaBrokerClient"]),
        .library(name: "DaBrokerAMQP", targets: ["DaBrokerAMQP"]),
        .library(name: "DaBrokerHTTP", targets: ["DaBrokerHTTP"]),
        .library(name: "DaBrokerConsole", targets: ["DaBrokerConsole"]),
        .library(name: "DaBrokerREST", targets: ["DaBrokerREST"]),
        .executable(name: "dabroker", targets: ["dabroker"]),
        .executable(name: "dabroker-bench", targets: ["dabroker-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/mattpolzin/OpenAPIKit", from: "6.4.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        // C client libraries (Debian -dev packages).
        .systemLibrary(
            name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CMariaDB", path: "Sources/CMariaDB", pkgConfig: "libmariadb",
            providers: [.apt(["libmariadb-dev"])]),
        .systemLibrary(
            name: "CSQLite3", path: "Sources/CSQLite3", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CRabbitMQ", path: "Sources/CRabbitMQ", pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(
            name: "CLibCrypto", path: "Sources/CLibCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),

        .target(
            name: "DaBrokerCore",
            dependencies: [.product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strict),
        .target(
            name: "DaBrokerSQL",
            dependencies: [
                "DaBrokerCore", "CLibPQ", "CMariaDB", "CSQLite3",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(
            name: "DaBrokerServer",
            dependencies: [
                "DaBrokerCore", "DaBrokerSQL", "CLibCrypto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strict),
        .target(
            name: "DaBrokerClient",
            dependencies: [
                "DaBrokerCore", .product(name: "Logging", package: "swift-log"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: strict),
        .target(
            name: "DaBrokerAMQP",
            dependencies: ["DaBrokerCore", "CRabbitMQ", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .target(
            name: "DaBrokerHTTP",
            dependencies: [
                "DaBrokerCore", .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // The web console (docs/console.md): static files embedded by scripts/generate-console.py.
        .target(name: "DaBrokerConsole", dependencies: ["DaBrokerHTTP"], exclude: ["Assets"], swiftSettings: strict),
        .target(
            name: "DaBrokerREST",
            dependencies: [
                "DaBrokerCore", "DaBrokerSQL", "DaBrokerServer", "DaBrokerHTTP",
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: strict),
        .target(
            name: "DaBrokerCLI",
            dependencies: [
                "DaBrokerCore", "DaBrokerSQL", "DaBrokerServer", "DaBrokerClient",
                "DaBrokerAMQP", "DaBrokerHTTP", "DaBrokerREST", "DaBrokerConsole",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict),
        .executableTarget(name: "dabroker", dependencies: ["DaBrokerCLI"], swiftSettings: strict),
        .executableTarget(
            name: "dabroker-bench",
            dependencies: [
                "DaBrokerCore", "DaBrokerSQL", "DaBrokerServer", "DaBrokerClient",
                "DaBrokerAMQP", "DaBrokerHTTP", "CRabbitMQ", "CSQLite3", "CLibPQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict),

        .executableTarget(
            name: "dabroker-fuzz", dependencies: ["DaBrokerCore", "DaBrokerServer"],
            swiftSettings: strict),

        // Test support: services, databases and child processes (DaBrokerTestSupport); the
        // shared broker fixtures of the server, client and transport tests (…ServerTestSupport).
        .target(name: "DaBrokerTestSupport", dependencies: ["DaBrokerCore", "DaBrokerSQL"], swiftSettings: strict),
        .target(
            name: "DaBrokerServerTestSupport",
            dependencies: [
                "DaBrokerCore", "DaBrokerSQL", "DaBrokerServer", "DaBrokerClient", "DaBrokerTestSupport",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: strict),

        .testTarget(
            name: "DaBrokerCoreTests", dependencies: ["DaBrokerCore", "DaBrokerTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "DaBrokerSQLTests",
            dependencies: ["DaBrokerSQL", "CLibPQ", "CMariaDB", "CSQLite3", "DaBrokerTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "DaBrokerServerTests",
            dependencies: [
                "DaBrokerServer", "DaBrokerClient", "DaBrokerSQL", "DaBrokerTestSupport", "DaBrokerServerTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Existing/Fixtures"],
            swiftSettings: strict),
        .testTarget(
            name: "DaBrokerAMQPTests",
            dependencies: [
                "DaBrokerAMQP", "CRabbitMQ", "DaBrokerServer", "DaBrokerClient", "DaBrokerSQL", "DaBrokerTestSupport",
                "DaBrokerServerTestSupport",
            ],
            swiftSettings: strict),
        .testTarget(
            name: "DaBrokerHTTPTests",
            dependencies: [
                "DaBrokerHTTP", "DaBrokerServer", "DaBrokerClient", "DaBrokerTestSupport", "DaBrokerServerTestSupport",
                "DaBrokerConsole", .product(name: "OrderedCollections", package: "swift-collections"),
            ], swiftSettings: strict),
        .testTarget(
            name: "DaBrokerClientTests",
            dependencies: [
                "DaBrokerClient", "DaBrokerServer", "DaBrokerSQL", "DaBrokerTestSupport", "DaBrokerServerTestSupport",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "DaBrokerReliabilityTests",
            dependencies: [
                "DaBrokerServer", "DaBrokerClient", "DaBrokerSQL", "DaBrokerCore", "DaBrokerTestSupport",
                "DaBrokerAMQP",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "DaBrokerRESTTests",
            dependencies: [
                "DaBrokerREST", "DaBrokerHTTP", "DaBrokerServer", "DaBrokerSQL", "DaBrokerCore", "DaBrokerTestSupport",
                "DaBrokerServerTestSupport",
            ],
            swiftSettings: strict),
        .testTarget(
            name: "DaBrokerCLITests",
            dependencies: [
                "DaBrokerCLI", "DaBrokerTestSupport", .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict),
    ]
)
