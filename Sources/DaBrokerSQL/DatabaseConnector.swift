import DaBrokerCore

/// Chooses the driver for a connection URL and opens connections with it.
public enum DatabaseConnector {
    /// The database family a URL names by its scheme, or `nil` for an unknown scheme.
    public static func kind(ofURL url: String) -> DatabaseKind? {
        let lower = url.lowercased()
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") { return .postgres }
        if lower.hasPrefix("mysql://") || lower.hasPrefix("mariadb://") { return .mysql }
        if SQLiteConnection.accepts(url: url) { return .sqlite }
        return nil
    }

    /// `url` with its database (the path) replaced by `database`, query kept: a server URL
    /// pointed at another database on the same server.
    public static func url(_ url: String, database: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let query = rest.firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        return url[..<schemeEnd.upperBound] + authority + "/" + database + query
    }

    /// Opens one connection to `url` and applies `options` (statement timeout, session setup).
    public static func connect(url: String, options: DatabaseOptions) async throws -> any DatabaseConnection {
        let conn = try await open(url: url, options: options)
        do {
            for statement in options.sessionSetup { _ = try await conn.execute(statement) }
        } catch {
            await conn.close()
            throw error
        }
        return conn
    }

    private static func open(url: String, options: DatabaseOptions) async throws -> any DatabaseConnection {
        switch kind(ofURL: url) {
        case .sqlite:
            return try await SQLiteConnection.connect(
                url: url, busyTimeout: options.sqliteBusyTimeout, statementTimeout: options.statementTimeout,
                journalMode: options.sqliteJournalMode)
        case .postgres:
            let conn = try await PostgresConnection.connect(url: url)
            try await applyStatementTimeout(options, conn.setStatementTimeout, conn)
            return conn
        case .mysql:
            let conn = try await MariaDBConnection.connect(url: url)
            try await applyStatementTimeout(options, conn.setStatementTimeout, conn)
            return conn
        case nil:
            throw DatabaseError(
                .connection,
                "unknown database URL scheme in \(URLRedaction.redacted(url)): expected postgres://, postgresql://, mysql://, "
                    + "mariadb://, sqlite: or file:")
        }
    }

    private static func applyStatementTimeout(
        _ options: DatabaseOptions, _ set: (Double?) async throws -> Void, _ conn: any DatabaseConnection
    ) async throws {
        guard let t = options.statementTimeout else { return }
        do {
            try await set(Double(t.components.seconds) + Double(t.components.attoseconds) / 1e18)
        } catch {
            await conn.close()
            throw error
        }
    }
}
