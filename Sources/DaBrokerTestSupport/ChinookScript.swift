import DaBrokerSQL
import Foundation

/// The Chinook sample database's SQL scripts, and running them statement by statement.
///
/// The scripts are read from `$DABROKER_CHINOOK_DIR` or from `shared/datasets/chinook/` in
/// the first ancestor directory of the repository that has it (`../shared` for a checkout
/// beside `shared/`).
public enum ChinookScript {
    /// Thrown when no Chinook script for a database is found.
    public struct Missing: Error, CustomStringConvertible {
        public let file: String
        public var description: String {
            "\(file) not found in any ancestor's shared/datasets/chinook (or $DABROKER_CHINOOK_DIR)"
        }
    }

    /// The script's file name for databases of `kind`.
    public static func fileName(for kind: DatabaseKind) -> String {
        switch kind {
        case .postgres: "Chinook_PostgreSql.sql"
        case .mysql: "Chinook_MySql.sql"
        case .sqlite: "Chinook_Sqlite.sql"
        }
    }

    /// The text of the script for databases of `kind`.
    public static func text(for kind: DatabaseKind) throws -> String {
        let file = fileName(for: kind)
        var candidates: [URL] = []
        if let dir = ProcessInfo.processInfo.environment["DABROKER_CHINOOK_DIR"] {
            candidates.append(URL(fileURLWithPath: dir))
        }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            dir = dir.deletingLastPathComponent()
            candidates.append(dir.appendingPathComponent("shared/datasets/chinook"))
        }
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent(file).path) {
            return try String(contentsOf: candidate.appendingPathComponent(file), encoding: .utf8)
        }
        throw Missing(file: file)
    }

    /// Loads Chinook into the (empty) database behind `connection`.
    public static func load(_ kind: DatabaseKind, into connection: any DatabaseConnection) async throws {
        try await run(try text(for: kind), on: connection)
    }

    /// Runs `script` on `connection`, one statement after the other.
    public static func run(_ script: String, on connection: any DatabaseConnection) async throws {
        for statement in statements(of: script) {
            _ = try await connection.execute(statement)
        }
    }

    /// The statements of an SQL script (each ends with `;` at the end of a line), without
    /// comments and the lines that switch databases (`CREATE/DROP DATABASE`, `USE`, `\c`).
    public static func statements(of script: String) -> [String] {
        var statements: [String] = []
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
                statements.append(statement)
                statement = ""
            }
        }
        if !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { statements.append(statement) }
        return statements
    }
}
