import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

/// The three databases the reflection tests run on, each in a database of its own
/// (`refl_<name>` on PostgreSQL and MariaDB, a temporary file on SQLite).
enum ReflectionBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case postgres, mariadb, sqlite

    var testDescription: String { rawValue }

    /// The backends whose service is configured (all of them in CI, where a missing one fails).
    static var available: [ReflectionBackend] { allCases.filter { TestDatabases.isAvailable($0.kind) } }

    /// `base` made unique to this test process (`refl_edge` → `refl_edge_4711`): several
    /// checkouts may run these tests against the shared servers at the same time.
    static func databaseName(_ base: String) -> String { "\(base)_\(getpid())" }

    /// Runs `body` on a connection to a freshly created, empty database
    /// (`databaseName(base)`), then closes the connection and drops the database.
    func withFreshDatabase<T>(
        _ base: String, _ body: (any DatabaseConnection) async throws -> T
    ) async throws -> T {
        let name = Self.databaseName(base)
        let connection = try await create(name)
        do {
            let result = try await body(connection)
            await connection.close()
            try await drop(name)
            return result
        } catch {
            await connection.close()
            try? await drop(name)
            throw error
        }
    }

    /// The kind of database this backend is.
    var kind: DatabaseKind {
        switch self {
        case .postgres: .postgres
        case .mariadb: .mysql
        case .sqlite: .sqlite
        }
    }

    private func create(_ name: String) async throws -> any DatabaseConnection {
        let url = try await TestDatabases.create(kind, named: name)
        switch self {
        case .postgres: return try await PostgresConnection.connect(url: url)
        case .mariadb: return try await MariaDBConnection.connect(url: url)
        case .sqlite: return try await SQLiteTestConnection.open(path: TestDatabases.sqlitePath(name))
        }
    }

    private func drop(_ name: String) async throws {
        try await TestDatabases.drop(kind, named: name)
    }
}
