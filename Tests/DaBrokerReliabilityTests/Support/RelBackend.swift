import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

/// The databases the reliability tests run on. Each test gets a database of its own
/// (`rel_<name>` on PostgreSQL and MariaDB, a temporary file on SQLite), dropped at the end.
enum RelBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres, mariadb

    var testDescription: String { rawValue }

    /// The backends whose service is configured (all of them in CI, where a missing one fails).
    static var available: [RelBackend] {
        allCases.filter {
            switch $0 {
            case .sqlite: true
            case .postgres: TestServices.isAvailable(.postgres)
            case .mariadb: TestServices.isAvailable(.mysql)
            }
        }
    }

    /// Creates an empty database named `rel_<name>` (dropping an old one) and returns its URL.
    func createDatabase(_ name: String) async throws -> String {
        let dbName = "rel_" + name
        switch self {
        case .postgres:
            let base = try TestServices.url(for: .postgres)
            let admin = try await PostgresConnection.connect(url: base)
            _ = try await admin.execute("DROP DATABASE IF EXISTS \(admin.dialect.quote(dbName)) WITH (FORCE)")
            _ = try await admin.execute("CREATE DATABASE \(admin.dialect.quote(dbName))")
            await admin.close()
            return DatabaseConnector.url(base, database: dbName)
        case .mariadb:
            let base = try TestServices.url(for: .mysql)
            let admin = try await MariaDBConnection.connect(url: base)
            _ = try await admin.execute("DROP DATABASE IF EXISTS \(admin.dialect.quote(dbName))")
            _ = try await admin.execute("CREATE DATABASE \(admin.dialect.quote(dbName)) CHARACTER SET utf8mb4")
            await admin.close()
            return DatabaseConnector.url(base, database: dbName)
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(dbName)-\(getpid()).sqlite")
                .path
            for suffix in ["", "-wal", "-shm", "-journal"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
            return "sqlite:" + path
        }
    }

    /// Drops the database made by ``createDatabase(_:)``.
    func dropDatabase(_ name: String) async {
        let dbName = "rel_" + name
        switch self {
        case .postgres:
            guard let base = try? TestServices.url(for: .postgres),
                let admin = try? await PostgresConnection.connect(url: base)
            else { return }
            _ = try? await admin.execute("DROP DATABASE IF EXISTS \(admin.dialect.quote(dbName)) WITH (FORCE)")
            await admin.close()
        case .mariadb:
            guard let base = try? TestServices.url(for: .mysql),
                let admin = try? await MariaDBConnection.connect(url: base)
            else { return }
            _ = try? await admin.execute("DROP DATABASE IF EXISTS \(admin.dialect.quote(dbName))")
            await admin.close()
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(dbName)-\(getpid()).sqlite")
                .path
            for suffix in ["", "-wal", "-shm", "-journal"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
        }
    }

}
