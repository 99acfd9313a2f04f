import DaBrokerSQL
import Foundation

/// Fresh, empty databases on the shared test servers (and temporary SQLite files), for tests
/// that need a database of their own.
///
/// The caller picks the name: test targets share the servers, so each prefixes its names with
/// its area (`refl_`, `broker_`, `client_`, ...).
public enum TestDatabases {
    /// The service that serves databases of `kind` (`nil` for SQLite, which needs none).
    public static func service(for kind: DatabaseKind) -> TestServices.Service? {
        switch kind {
        case .postgres: .postgres
        case .mysql: .mysql
        case .sqlite: nil
        }
    }

    /// Whether databases of `kind` can be made in this run (always in CI, where a missing
    /// service then fails the test).
    public static func isAvailable(_ kind: DatabaseKind) -> Bool {
        service(for: kind).map(TestServices.isAvailable) ?? true
    }

    /// Creates an empty database `name` of `kind`, dropping any left over from an earlier run,
    /// and returns its URL: the service's URL with the database replaced (PostgreSQL, MariaDB)
    /// or `sqlite:` and the temporary file `sqlitePath(name)`.
    public static func create(_ kind: DatabaseKind, named name: String) async throws -> String {
        guard let service = service(for: kind) else {
            removeSQLiteFiles(name)
            return "sqlite:" + sqlitePath(name)
        }
        let base = try TestServices.url(for: service)
        let admin = try await Database.open(url: base)
        do {
            let quoted = admin.dialect.quote(name)
            if kind == .postgres {
                _ = try await admin.execute("DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")
                _ = try await admin.execute("CREATE DATABASE \(quoted)")
            } else {
                _ = try await admin.execute("DROP DATABASE IF EXISTS \(quoted)")
                _ = try await admin.execute("CREATE DATABASE \(quoted) CHARACTER SET utf8mb4")
            }
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
        return DatabaseConnector.url(base, database: name)
    }

    /// Drops the database `name` of `kind` (removes the SQLite file and its journals).
    public static func drop(_ kind: DatabaseKind, named name: String) async throws {
        guard let service = service(for: kind) else {
            removeSQLiteFiles(name)
            return
        }
        let admin = try await Database.open(url: try TestServices.url(for: service))
        let force = kind == .postgres ? " WITH (FORCE)" : ""
        do {
            _ = try await admin.execute("DROP DATABASE IF EXISTS \(admin.dialect.quote(name))\(force)")
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
    }

    /// The temporary file of the SQLite database `name`.
    public static func sqlitePath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name).sqlite").path
    }

    private static func removeSQLiteFiles(_ name: String) {
        let path = sqlitePath(name)
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }
}
