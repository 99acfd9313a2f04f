import DaBrokerCore
import Logging

/// A database the broker serves: its kind and dialect, and the pool of connections to it.
///
/// Open one with `Database.open(url:options:)`; run statements with `execute` (inside a
/// session it joins the session's transaction), borrow a connection with `withConnection`, or
/// open a transaction with `withSession`.
public final class Database: Sendable {
    public let kind: DatabaseKind
    public let dialect: any SQLDialect
    public let options: DatabaseOptions
    public let pool: ConnectionPool
    /// The URL without its password.
    public let displayURL: String
    /// The URL as given (with its password): for connections of their own, such as the
    /// change feed's notification listener.
    package let url: String

    private init(kind: DatabaseKind, url: String, options: DatabaseOptions) {
        self.kind = kind
        self.url = url
        self.options = options
        self.displayURL = URLRedaction.redacted(url)
        switch kind {
        case .postgres: dialect = PostgresDialect()
        case .mysql: dialect = MySQLDialect()
        case .sqlite: dialect = SQLiteDialect()
        }
        // Each connection to an in-memory SQLite database would be a database of its own.
        let inMemory = kind == .sqlite && SQLiteConnection.filename(fromURL: url) == ":memory:"
        pool = ConnectionPool(
            name: displayURL, maxConnections: inMemory ? 1 : options.maxConnections,
            acquireTimeout: options.acquireTimeout, healthCheckAfterIdle: options.healthCheckAfterIdle,
            factory: { try await DatabaseConnector.connect(url: url, options: options) })
    }

    /// Opens the database `url` names, choosing the driver by its scheme (`postgres://`,
    /// `postgresql://`, `mysql://`, `mariadb://`, `sqlite:`, `file:`), and checks that a first
    /// connection can be made.
    public static func open(url: String, options: DatabaseOptions = DatabaseOptions()) async throws -> Database {
        guard let kind = DatabaseConnector.kind(ofURL: url) else {
            throw DatabaseError(
                .connection,
                "unknown database URL scheme in \(URLRedaction.redacted(url)): expected postgres://, "
                    + "postgresql://, mysql://, mariadb://, sqlite: or file:")
        }
        let db = Database(kind: kind, url: url, options: options)
        let first = try await db.pool.acquire()
        db.pool.release(first)
        return db
    }

    /// Closes the pool's connections.
    public func close() async { await pool.close() }

    /// Runs one statement: in the current task's session on this database if there is one,
    /// otherwise on a pooled connection, retrying once on a fresh connection if the first one
    /// turned out to be dead.
    public func execute(_ sql: String, _ parameters: [Value] = []) async throws -> QueryResult {
        if let session = SessionContext.current(for: self) {
            return try await session.execute(sql, parameters)
        }
        var retried = false
        while true {
            let conn = try await pool.acquire()
            do {
                let result = try await conn.execute(sql, parameters)
                pool.release(conn)
                return result
            } catch {
                guard await Self.isLost(error, conn) else {
                    pool.release(conn)
                    throw error
                }
                pool.discard(conn)
                if retried { throw error }
                retried = true
                options.logger.info("connection to \(displayURL) lost (\(error)); retrying once on a new one")
            }
        }
    }

    /// Lends `body` a pooled connection for several statements outside any transaction.
    ///
    /// A connection found dead when `body` fails is discarded, and the error is rethrown: the
    /// body is not re-run, since some of its statements may have taken effect.
    public func withConnection<T: Sendable>(
        _ body: @Sendable (any DatabaseConnection) async throws -> T
    ) async throws -> T {
        let conn = try await pool.acquire()
        do {
            let result = try await body(conn)
            pool.release(conn)
            return result
        } catch {
            if await Self.isLost(error, conn) {
                pool.discard(conn)
            } else {
                pool.release(conn)
            }
            throw error
        }
    }

    /// Lends `body` one pooled connection and, when the pool has them free right now, up to
    /// `count - 1` more: for independent reads that can run side by side (schema reflection).
    /// Never waits for the extra connections; `body` gets at least one.
    public func withConnections<T: Sendable>(
        upTo count: Int, _ body: @Sendable ([any DatabaseConnection]) async throws -> T
    ) async throws -> T {
        try await withConnection { first in
            var extra: [any DatabaseConnection] = []
            while extra.count + 1 < count, let c = try? await pool.acquireIfFree() { extra.append(c) }
            let borrowed = extra
            do {
                let result = try await body([first] + borrowed)
                for c in borrowed { pool.release(c) }
                return result
            } catch {
                for c in borrowed {
                    if await c.isHealthy() { pool.release(c) } else { pool.discard(c) }
                }
                throw error
            }
        }
    }

    /// Whether `error` from `connection` means the connection is gone.
    static func isLost(_ error: any Error, _ connection: any DatabaseConnection) async -> Bool {
        if let e = error as? any ConnectionLossReporting { return e.isConnectionLost }
        if error is CancellationError || error is SessionError { return false }
        return !(await connection.isHealthy())
    }

    /// Whether rows in `table` take part in transactions: `false` for MariaDB/MySQL tables on
    /// engines without rollback (MyISAM, Aria, MEMORY, CSV, ARCHIVE, …); always `true` elsewhere.
    /// Use it to open a `withSession(on:transactional:)` with the right behaviour.
    public func tableIsTransactional(_ table: String) async throws -> Bool {
        guard kind == .mysql else { return true }
        let r = try await execute(
            "SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
            [
                .string(table)
            ])
        guard case .string(let engine)? = r.rows.first?[0] else {
            throw DatabaseError(.statement, "no table \(table) in the current database of \(displayURL)", table: table)
        }
        return !["MYISAM", "ARIA", "MEMORY", "CSV", "ARCHIVE", "MRG_MYISAM", "BLACKHOLE"].contains(engine.uppercased())
    }
}
