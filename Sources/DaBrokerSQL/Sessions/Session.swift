import DaBrokerCore
import Synchronization

/// One transaction on one pooled connection, shared by the nested `withSession` scopes of one task.
///
/// Created by the outermost `withSession`; statements run with `execute`. A session belongs to
/// the task that opened it: use from any other task (a child task included) throws
/// `SessionError(.concurrentUse)` and sends nothing, so two tasks can never interleave
/// statements in one transaction.
public final class Session: Sendable {
    private struct State {
        var depth = 1
        var savepoints = 0
        var busy = false
        var closed = false
        var lost = false
    }

    public let database: Database
    /// Whether nested scopes are savepoints (`true`) or join the outer scope (`false`).
    public let isTransactional: Bool
    let connection: any DatabaseConnection
    private let owner: Int?
    private let state = Mutex(State())

    public var dialect: any SQLDialect { database.dialect }
    /// How many scopes are open (1 for the outermost).
    public var depth: Int { state.withLock { $0.depth } }

    /// The current task's session on `database`, if it is inside `withSession`.
    public static func current(on database: Database) -> Session? {
        SessionContext.current(for: database)
    }

    private init(database: Database, connection: any DatabaseConnection, transactional: Bool) {
        self.database = database
        self.connection = connection
        self.isTransactional = transactional
        self.owner = Self.currentTaskID
    }

    private static var currentTaskID: Int? { withUnsafeCurrentTask { $0?.hashValue } }

    /// Borrows a connection and opens the transaction, retrying once if the connection was dead.
    static func begin(on database: Database, transactional: Bool) async throws -> Session {
        let begin =
            switch database.kind {
            case .postgres: "BEGIN"
            case .mysql: "START TRANSACTION"
            // Take the write lock now: a deferred transaction that later upgrades can deadlock.
            case .sqlite: "BEGIN IMMEDIATE"
            }
        var retried = false
        while true {
            let conn = try await database.pool.acquire()
            do {
                _ = try await conn.execute(begin, [])
                return Session(database: database, connection: conn, transactional: transactional)
            } catch {
                guard await Database.isLost(error, conn) else {
                    database.pool.release(conn)
                    throw error
                }
                database.pool.discard(conn)
                if retried { throw error }
                retried = true
            }
        }
    }

    /// Runs one statement in the session's transaction.
    public func execute(_ sql: String, _ parameters: [Value] = []) async throws -> QueryResult {
        try claim()
        defer { state.withLock { $0.busy = false } }
        do {
            return try await connection.execute(sql, parameters)
        } catch {
            if await Database.isLost(error, connection) { state.withLock { $0.lost = true } }
            throw error
        }
    }

    private func claim() throws {
        let me = Self.currentTaskID
        try state.withLock { s in
            guard !s.closed, !s.lost else {
                throw SessionError(
                    .closed,
                    s.lost
                        ? "the connection of the session on \(database.displayURL) was lost; its transaction is gone"
                        : "the session on \(database.displayURL) has ended")
            }
            guard me == owner, !s.busy else {
                throw SessionError(
                    .concurrentUse,
                    "the session on \(database.displayURL) belongs to another task; a session must not be shared "
                        + "between tasks (open a separate session in a task of its own, e.g. Task.detached)")
            }
            s.busy = true
        }
    }

    /// A nested scope: a savepoint, or (non-transactional) the outer scope joined.
    func runNested<T>(isolation: isolated (any Actor)?, _ body: (Session) async throws -> T) async throws -> T {
        let logger = database.options.logger
        guard isTransactional else {
            try claim()
            state.withLock {
                $0.busy = false
                $0.depth += 1
            }
            defer { state.withLock { $0.depth -= 1 } }
            database.options.flatNestingWarning.fire(logger: logger)
            return try await body(self)
        }
        if database.kind == .sqlite { database.options.sqliteNotice.fire(logger: logger) }
        let name = state.withLock { s -> String in
            s.savepoints += 1
            return "dab_sp_\(s.savepoints)"
        }
        _ = try await execute("SAVEPOINT \(name)")
        state.withLock { $0.depth += 1 }
        let result: T
        do {
            result = try await body(self)
        } catch {
            state.withLock { $0.depth -= 1 }
            _ = try? await execute("ROLLBACK TO SAVEPOINT \(name)")
            _ = try? await execute("RELEASE SAVEPOINT \(name)")
            throw error
        }
        state.withLock { $0.depth -= 1 }
        _ = try await execute("RELEASE SAVEPOINT \(name)")
        return result
    }

    /// Commits and gives the connection back; on failure rolls back and rethrows.
    func commit() async throws {
        do {
            _ = try await execute("COMMIT")
        } catch {
            await finish(commit: false)
            throw error
        }
        await finish(commit: true)
    }

    /// Ends the session: rolls back unless `commit` (already committed), then returns the
    /// connection to the pool, or discards it if it was lost.
    func finish(commit: Bool) async {
        let lost = state.withLock { s -> Bool in
            s.closed = true
            return s.lost
        }
        if !lost && !commit {
            do {
                _ = try await connection.execute("ROLLBACK", [])
            } catch {
                if await Database.isLost(error, connection) {
                    database.pool.discard(connection)
                    return
                }
            }
        }
        if lost {
            database.pool.discard(connection)
        } else {
            database.pool.release(connection)
        }
    }
}
