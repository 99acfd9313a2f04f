import DaBrokerCore
import DaBrokerSQL
import Foundation

/// Applies `migrations/<dialect>/NNN_name.sql` files in order and records them, so that
/// running it twice changes nothing.
///
/// Each migration runs in a transaction where the database allows it (PostgreSQL and SQLite
/// roll DDL back; MariaDB commits DDL implicitly, so a failed migration there may leave
/// part of it applied — the record is written only when every statement succeeded).
public struct Migrator: Sendable {
    /// One migration file.
    public struct Migration: Sendable, Equatable {
        public var version: Int
        public var name: String
        public var path: String
    }

    public var directory: String

    /// `directory` is the root holding `sqlite/`, `postgres/` and `mysql/` folders.
    public init(directory: String) { self.directory = directory }

    /// The folder name for a database kind.
    public static func folder(for kind: DatabaseKind) -> String {
        switch kind {
        case .postgres: return "postgres"
        case .mysql: return "mysql"
        case .sqlite: return "sqlite"
        }
    }

    /// The migrations for `kind`, ordered by version; a badly named file is an error.
    public func migrations(for kind: DatabaseKind) throws -> [Migration] {
        let folder = (directory as NSString).appendingPathComponent(Self.folder(for: kind))
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw ConfigurationError(
                "no migrations folder at \(folder)",
                hint: "pass --migrations DIR (the folder holding sqlite/, postgres/, mysql/)")
        }
        var out: [Migration] = []
        for name in names where name.hasSuffix(".sql") {
            let digits = name.prefix(while: \.isNumber)
            guard let version = Int(digits), name.dropFirst(digits.count).first == "_" else {
                throw ConfigurationError(
                    "migration file '\(name)' in \(folder) is not named NNN_name.sql",
                    hint: "rename it, e.g. 003_add_index.sql")
            }
            if let dup = out.first(where: { $0.version == version }) {
                throw ConfigurationError("migrations '\(dup.name)' and '\(name)' in \(folder) share version \(version)")
            }
            out.append(Migration(version: version, name: name, path: (folder as NSString).appendingPathComponent(name)))
        }
        return out.sorted { $0.version < $1.version }
    }

    /// Applies every migration not yet recorded; returns the names of those applied.
    @discardableResult
    public func migrate(_ connection: any DatabaseConnection) async throws -> [String] {
        let d = connection.dialect
        let table = d.quote("dabroker_migrations")
        _ = try await connection.execute(
            "CREATE TABLE IF NOT EXISTS \(table) (\(d.quote("version")) INTEGER PRIMARY KEY, "
                + "\(d.quote("name")) VARCHAR(255) NOT NULL, \(d.quote("applied_at")) VARCHAR(40) NOT NULL)")
        let done = try await connection.execute("SELECT \(d.quote("version")) FROM \(table)")
        let applied = Set(
            done.rows.compactMap { row -> Int? in
                if case .int(let v) = row[0] { return Int(v) }
                if case .string(let s) = row[0] { return Int(s) }
                return nil
            })
        var ran: [String] = []
        for m in try migrations(for: d.kind) where !applied.contains(m.version) {
            let script = try String(contentsOfFile: m.path, encoding: .utf8)
            _ = try await connection.execute(d.kind == .mysql ? "START TRANSACTION" : "BEGIN")
            do {
                for statement in SQLScript.statements(in: script) {
                    _ = try await connection.execute(statement)
                }
                let stamp = ISO8601DateFormatter().string(from: Date())
                _ = try await connection.execute(
                    "INSERT INTO \(table) (\(d.quote("version")), \(d.quote("name")), \(d.quote("applied_at"))) "
                        + "VALUES (\(d.placeholder(0)), \(d.placeholder(1)), \(d.placeholder(2)))",
                    [.int(Int64(m.version)), .string(m.name), .string(stamp)])
                _ = try await connection.execute("COMMIT")
            } catch {
                _ = try? await connection.execute("ROLLBACK")
                throw MigrationError(migration: m.name, underlying: String(describing: error))
            }
            ran.append(m.name)
        }
        return ran
    }
}

/// A migration that failed; nothing of it was recorded.
public struct MigrationError: Error, CustomStringConvertible, Sendable {
    public var migration: String
    public var underlying: String
    public var description: String { "migration \(migration) failed: \(underlying)" }
}
