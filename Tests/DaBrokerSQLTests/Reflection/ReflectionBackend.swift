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
    static var available: [ReflectionBackend] {
        allCases.filter {
            switch $0 {
            case .postgres: TestServices.isAvailable(.postgres)
            case .mariadb: TestServices.isAvailable(.mysql)
            case .sqlite: SQLiteTestConnection.isAvailable
            }
        }
    }

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

    private func create(_ name: String) async throws -> any DatabaseConnection {
        switch self {
        case .postgres:
            let admin = try await PostgresConnection.connect(url: try TestServices.url(for: .postgres))
            _ = try await admin.execute("DROP DATABASE IF EXISTS \(admin.dialect.quote(name)) WITH (FORCE)")
            _ = try await admin.execute("CREATE DATABASE \(admin.dialect.quote(name))")
            await admin.close()
            return try await PostgresConnection.connect(
                url: Self.url(try TestServices.url(for: .postgres), database: name))
        case .mariadb:
            let admin = try await MariaDBConnection.connect(url: try TestServices.url(for: .mysql))
            _ = try await admin.execute("DROP DATABASE IF EXISTS \(admin.dialect.quote(name))")
            _ = try await admin.execute("CREATE DATABASE \(admin.dialect.quote(name)) CHARACTER SET utf8mb4")
            await admin.close()
            return try await MariaDBConnection.connect(url: Self.url(try TestServices.url(for: .mysql), database: name))
        case .sqlite:
            let path = Self.sqlitePath(name)
            for suffix in ["", "-wal", "-shm", "-journal"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
            return try await SQLiteTestConnection.open(path: path)
        }
    }

    private func drop(_ name: String) async throws {
        switch self {
        case .postgres:
            let admin = try await PostgresConnection.connect(url: try TestServices.url(for: .postgres))
            _ = try await admin.execute("DROP DATABASE IF EXISTS \(admin.dialect.quote(name)) WITH (FORCE)")
            await admin.close()
        case .mariadb:
            let admin = try await MariaDBConnection.connect(url: try TestServices.url(for: .mysql))
            _ = try await admin.execute("DROP DATABASE IF EXISTS \(admin.dialect.quote(name))")
            await admin.close()
        case .sqlite:
            let path = Self.sqlitePath(name)
            for suffix in ["", "-wal", "-shm", "-journal"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
        }
    }

    static func sqlitePath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name).sqlite").path
    }

    /// `url` with its database (the path) replaced by `database`, query kept.
    static func url(_ url: String, database: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let query = rest.firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        return url[..<schemeEnd.upperBound] + authority + "/" + database + query
    }

    /// Runs an SQL script statement by statement: comments and the lines that switch
    /// databases (`CREATE/DROP DATABASE`, `USE`, `\c`) are dropped; statements end with `;`
    /// at the end of a line.
    func runScript(_ script: String, on connection: any DatabaseConnection) async throws {
        var statement = ""
        var inComment = false
        for line in script.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if inComment {
                if trimmed.hasSuffix("*/") { inComment = false }
                continue
            }
            if statement.isEmpty {
                if trimmed.hasPrefix("/*") {
                    inComment = !trimmed.hasSuffix("*/")
                    continue
                }
                let upper = trimmed.uppercased()
                if trimmed.isEmpty || trimmed.hasPrefix("--") || trimmed.hasPrefix("\\")
                    || upper.hasPrefix("CREATE DATABASE") || upper.hasPrefix("DROP DATABASE") || upper.hasPrefix("USE ")
                {
                    continue
                }
            }
            statement += line + "\n"
            if trimmed.hasSuffix(";") {
                _ = try await connection.execute(statement)
                statement = ""
            }
        }
        if !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            _ = try await connection.execute(statement)
        }
    }

    /// The Chinook script of this database, from `shared/datasets/chinook/` in the first
    /// ancestor directory of the repository that has it (`../shared` for a checkout beside
    /// `shared/`), or from `$DABROKER_CHINOOK_DIR`.
    var chinookScript: String {
        get throws {
            let file =
                switch self {
                case .postgres: "Chinook_PostgreSql.sql"
                case .mariadb: "Chinook_MySql.sql"
                case .sqlite: "Chinook_Sqlite.sql"
                }
            var candidates: [URL] = []
            if let dir = ProcessInfo.processInfo.environment["DABROKER_CHINOOK_DIR"] {
                candidates.append(URL(fileURLWithPath: dir))
            }
            var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            while dir.path != "/" {
                dir = dir.deletingLastPathComponent()
                candidates.append(dir.appendingPathComponent("shared/datasets/chinook"))
            }
            for c in candidates where FileManager.default.fileExists(atPath: c.appendingPathComponent(file).path) {
                return try String(contentsOf: c.appendingPathComponent(file), encoding: .utf8)
            }
            throw ChinookMissing(file: file)
        }
    }
}

struct ChinookMissing: Error, CustomStringConvertible {
    let file: String
    var description: String { "\(file) not found in any ancestor's shared/datasets/chinook (or $DABROKER_CHINOOK_DIR)" }
}
