import DaBrokerSQL
import DaBrokerTestSupport

/// The three databases the SQL tests run on, each holding Chinook in a database the test
/// target names (`broker_chinook`, `client_chinook`, … on PostgreSQL and MariaDB, a temporary
/// file on SQLite), loaded once per test process through ``ChinookDatabases``.
public enum ChinookBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres, mariadb

    public var description: String { rawValue }

    /// The backends whose service is configured (all of them in CI, where a missing one fails).
    public static var available: [ChinookBackend] { allCases.filter { TestDatabases.isAvailable($0.kind) } }

    /// The kind of database this backend is.
    public var kind: DatabaseKind {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        case .mariadb: .mysql
        }
    }

    /// Chinook's spelling on this database (PostgreSQL: snake case; the others: CamelCase).
    public var names: ChinookNames { self == .postgres ? .snake : .camel }

    /// A pool on the database `name` holding a fresh copy of Chinook (made once per process,
    /// backend and name).
    public func database(named name: String) async throws -> Database {
        try await Database.open(url: try await ChinookDatabases.shared.url(kind, named: name))
    }
}
