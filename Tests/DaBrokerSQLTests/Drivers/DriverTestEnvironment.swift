import DaBrokerSQL
import DaBrokerTestSupport
import Foundation

/// Connections to the shared test servers for the driver tests.
enum DriverTestEnvironment {
    static func postgres() async throws -> PostgresConnection {
        try await PostgresConnection.connect(url: try TestServices.url(for: .postgres))
    }

    static func mariadb() async throws -> MariaDBConnection {
        try await MariaDBConnection.connect(url: try TestServices.url(for: .mysql))
    }

    /// A name unique to this run, prefixed `drv_`, for objects the tests create.
    static func uniqueName(_ base: String) -> String {
        "drv_\(base)_\(UInt32.random(in: 0...UInt32.max))"
    }
}
