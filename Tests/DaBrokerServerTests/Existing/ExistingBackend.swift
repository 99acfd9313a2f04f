import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

/// The three databases of the "existing database" conformance suite, each loaded from its
/// fixture schema (`Fixtures/existing-*.sql`, written for this project) into a database of
/// its own (`existing_conf_<test>` on PostgreSQL and MariaDB, a temporary file on SQLite).
enum ExistingBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres, mariadb

    var testDescription: String { rawValue }

    /// The backends whose service is configured (all of them in CI, where a missing one fails).
    static var available: [ExistingBackend] { allCases.filter { TestDatabases.isAvailable($0.kind) } }

    var kind: DatabaseKind {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        case .mariadb: .mysql
        }
    }

    /// The fixture script's statements.
    var statements: [String] {
        get throws {
            let name = "existing-" + (self == .mariadb ? "mariadb" : rawValue) + ".sql"
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Fixtures").appendingPathComponent(name)
            return ChinookScript.statements(of: try String(contentsOf: url, encoding: .utf8))
        }
    }

    /// A fresh database `existing_conf_<suffix>` holding the fixture schema and rows.
    func database(_ suffix: String) async throws -> (Database, String) {
        let name = "existing_conf_" + suffix
        let url = try await TestDatabases.create(kind, named: name)
        let db = try await Database.open(url: url)
        do {
            for statement in try statements { _ = try await db.execute(statement) }
        } catch {
            await db.close()
            throw error
        }
        return (db, name)
    }
}
