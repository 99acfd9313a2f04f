import CSQLite3
import DaBrokerCore
import Dispatch

/// A connection to an SQLite database file (or an in-memory database) through libsqlite3.
///
/// URLs: `sqlite:PATH` (relative or absolute), `sqlite:///abs/path`, `sqlite::memory:`, and
/// SQLite's own `file:` URIs. Every sqlite3 call runs on this connection's own serial dispatch
/// queue, never on Swift's cooperative pool. The connection keeps a cache of prepared
/// statements, waits up to `busyTimeout` for another connection's write lock, turns foreign keys
/// on, and puts file databases in WAL mode.
public final class SQLiteConnection: DatabaseConnection, @unchecked Sendable {
    // @unchecked Sendable: the mutable state (`cache`, `cacheOrder`, `closed`, `deadline`) and every
    // use of `db` happen only inside work items on `queue`, a serial queue, so they are never
    // touched by two threads at once; the other stored properties are immutable.

    public let dialect: any SQLDialect = SQLiteDialect()
    /// The file name handed to `sqlite3_open_v2` (`:memory:` for an in-memory database).
    public let filename: String
    /// How long one statement may run before it is interrupted, if limited.
    public let statementTimeout: Duration?

    private let db: OpaquePointer
    private let queue: DispatchQueue
    private var cache: [String: OpaquePointer] = [:]
    private var cacheOrder: [String] = []
    private var closed = false
    private var deadline: ContinuousClock.Instant?
    private static let cacheLimit = 64

    private init(db: OpaquePointer, filename: String, queue: DispatchQueue, statementTimeout: Duration?) {
        self.db = db
        self.filename = filename
        self.queue = queue
        self.statementTimeout = statementTimeout
    }

    deinit {
        // No other reference exists any more, so touching the handle here cannot race.
        if !closed {
            for stmt in cache.values { sqlite3_finalize(stmt) }
            sqlite3_close_v2(db)
        }
    }

    /// Whether `url` is one this driver opens (`sqlite:…` or `file:…`).
    public static func accepts(url: String) -> Bool {
        url.hasPrefix("sqlite:") || url.hasPrefix("file:")
    }

    /// The file name (or `file:` URI) that `url` names, or `nil` if it is not an SQLite URL.
    public static func filename(fromURL url: String) -> String? {
        if url.hasPrefix("file:") { return url }
        guard url.hasPrefix("sqlite:") else { return nil }
        let rest = String(url.dropFirst("sqlite:".count))
        if rest == ":memory:" || rest == "//:memory:" { return ":memory:" }
        if rest.hasPrefix("//") { return String(rest.dropFirst(2)) }  // sqlite:///abs → /abs
        return rest.isEmpty ? nil : rest
    }

    /// Opens the database `url` names.
    /// - Parameters:
    ///   - busyTimeout: how long a statement waits for another connection's lock before failing.
    ///   - statementTimeout: interrupt a statement running longer than this (`nil`: no limit).
    ///   - journalMode: the journal mode to set on a file database (it is stored in the file);
    ///     `nil` leaves the file's mode as it is.
    public static func connect(
        url: String, busyTimeout: Duration = .seconds(5), statementTimeout: Duration? = nil,
        journalMode: SQLiteJournalMode? = .wal
    ) async throws -> SQLiteConnection {
        guard let filename = filename(fromURL: url) else {
            throw DatabaseError.sqlite(
                .connection, "not an SQLite URL: expected sqlite:PATH, sqlite::memory: or file:…")
        }
        let queue = DispatchQueue(label: "dabroker.sqlite")
        let ms = Int32(
            clamping: busyTimeout.components.seconds * 1000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000
        )
        let db: OpaquePointer = try await withCheckedThrowingContinuation { cont in
            queue.async {
                cont.resume(with: Result { try openHandle(filename, busyMilliseconds: ms, journalMode: journalMode) })
            }
        }
        let conn = SQLiteConnection(db: db, filename: filename, queue: queue, statementTimeout: statementTimeout)
        if statementTimeout != nil { try await conn.run { $0.installProgressHandler() } }
        return conn
    }

    private static func openHandle(
        _ filename: String, busyMilliseconds: Int32, journalMode: SQLiteJournalMode?
    ) throws -> OpaquePointer {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(filename, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw DatabaseError.sqlite(.connection, "cannot open \(filename): \(message)", code: rc)
        }
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyMilliseconds)
        var setup = ["PRAGMA foreign_keys = ON"]
        if let journalMode, filename != ":memory:" && !filename.contains("mode=memory") {
            setup.append("PRAGMA journal_mode = \(journalMode.rawValue)")
        }
        for sql in setup where sqlite3_exec(handle, sql, nil, nil, nil) != SQLITE_OK {
            let message = String(cString: sqlite3_errmsg(handle))
            sqlite3_close_v2(handle)
            throw DatabaseError.sqlite(.connection, "cannot configure \(filename): \(message)", sql: sql)
        }
        return handle
    }

    /// Runs `work` on the connection's queue and returns its result to the calling task.
    private func run<T: Sendable>(_ work: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            queue.async {
                cont.resume(
                    with: Result {
                        guard !self.closed else {
                            throw DatabaseError.sqlite(.closed, "the SQLite connection is closed")
                        }
                        return try work(self)
                    })
            }
        }
    }

    public func execute(_ sql: String, _ parameters: [Value]) async throws -> QueryResult {
        try await run { try $0.executeOnQueue(sql, parameters) }
    }

    public func isHealthy() async -> Bool {
        (try? await run { conn in sqlite3_exec(conn.db, "SELECT 1", nil, nil, nil) == SQLITE_OK }) ?? false
    }

    public func close() async {
        await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
            queue.async {
                if !self.closed {
                    self.closed = true
                    for stmt in self.cache.values { sqlite3_finalize(stmt) }
                    self.cache = [:]
                    self.cacheOrder = []
                    sqlite3_close_v2(self.db)
                }
                cont.resume()
            }
        }
    }

    // MARK: on the queue

    private func installProgressHandler() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_progress_handler(
            db, 1000,
            { ctx in
                guard let ctx else { return 0 }
                // Runs inside sqlite3_step on the connection's queue; the handler is removed
                // with the handle in `close`/`deinit`, so the unretained reference is alive.
                let conn = Unmanaged<SQLiteConnection>.fromOpaque(ctx).takeUnretainedValue()
                guard let deadline = conn.deadline else { return 0 }
                return ContinuousClock.now >= deadline ? 1 : 0
            }, context)
    }

    private func executeOnQueue(_ sql: String, _ parameters: [Value]) throws -> QueryResult {
        deadline = statementTimeout.map { ContinuousClock.now + $0 }
        defer { deadline = nil }
        let (stmt, hasTail) = try prepare(sql)
        if hasTail {
            defer { sqlite3_finalize(stmt) }
            guard parameters.isEmpty else {
                throw DatabaseError.sqlite(
                    .parameter, "a statement with parameters must be a single statement", sql: sql)
            }
            return try executeScript(sql)
        }
        defer {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
        }
        return try step(stmt, sql: sql, parameters: parameters)
    }

    /// A cached prepared statement for `sql`, and whether text follows its first statement.
    private func prepare(_ sql: String) throws -> (OpaquePointer, Bool) {
        if let stmt = cache[sql] { return (stmt, false) }
        var stmt: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let rc = sql.withCString { base in
            let rc = sqlite3_prepare_v3(db, base, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, &tail)
            if let t = tail, rc == SQLITE_OK {
                let rest = String(cString: t).trimmingCharacters(
                    in: .whitespacesAndNewlines.union(.init(charactersIn: ";")))
                tail = rest.isEmpty ? nil : t
                if rest.isEmpty { return rc }
                return SQLITE_ROW  // marker: more statements follow
            }
            return rc
        }
        if rc == SQLITE_ROW, let stmt { return (stmt, true) }
        guard rc == SQLITE_OK, let stmt else {
            throw error(rc, sql: sql)
        }
        if cache.count >= Self.cacheLimit, let oldest = cacheOrder.first {
            cacheOrder.removeFirst()
            if let old = cache.removeValue(forKey: oldest) { sqlite3_finalize(old) }
        }
        cache[sql] = stmt
        cacheOrder.append(sql)
        return (stmt, false)
    }

    /// Runs several `;`-separated statements without parameters (DDL scripts); returns the last result.
    private func executeScript(_ sql: String) throws -> QueryResult {
        var result = QueryResult()
        try sql.withCString { base in
            var next: UnsafePointer<CChar>? = base
            while let start = next, start.pointee != 0 {
                var stmt: OpaquePointer?
                let rc = sqlite3_prepare_v2(db, start, -1, &stmt, &next)
                guard rc == SQLITE_OK else { throw error(rc, sql: sql) }
                guard let stmt else { continue }  // whitespace or a comment
                defer { sqlite3_finalize(stmt) }
                result = try step(stmt, sql: sql, parameters: [])
            }
        }
        return result
    }

    private func step(_ stmt: OpaquePointer, sql: String, parameters: [Value]) throws -> QueryResult {
        let expected = Int(sqlite3_bind_parameter_count(stmt))
        guard expected == parameters.count else {
            throw DatabaseError.sqlite(
                .parameter, "the statement takes \(expected) parameters but \(parameters.count) were given", sql: sql)
        }
        for (i, p) in parameters.enumerated() {
            try SQLiteValueMapping.bind(p, to: stmt, at: Int32(i + 1))
        }
        let n = sqlite3_column_count(stmt)
        let columns = (0..<n).map { sqlite3_column_name(stmt, $0).map { String(cString: $0) } ?? "" }
        let types = (0..<n).map {
            SQLiteColumnType(declared: sqlite3_column_decltype(stmt, $0).map { String(cString: $0) })
        }
        var rows: [Row] = []
        var undecoded: [UndecodedValue] = []
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc, sql: sql) }
            var values: [Value] = []
            values.reserveCapacity(Int(n))
            for i in 0..<n {
                do {
                    values.append(try SQLiteValueMapping.read(stmt, i, as: types[Int(i)]))
                } catch let e as DatabaseError where e.kind == .unmappedType {
                    // One bad stored value must not fail the whole result: it is returned raw.
                    values.append(SQLiteValueMapping.raw(stmt, i))
                    undecoded.append(
                        UndecodedValue(
                            row: rows.count, column: columns[Int(i)], table: e.table, declaredType: e.typeName ?? ""))
                }
            }
            rows.append(Row(columns: columns, values: values))
        }
        var result = QueryResult(columns: columns, rows: rows)
        result.undecoded = undecoded
        if sqlite3_stmt_readonly(stmt) == 0 {
            result.affectedRows = sqlite3_changes64(db)
            let verb = sql.drop(while: { $0.isWhitespace }).prefix(7).uppercased()
            if result.affectedRows > 0, verb.hasPrefix("INSERT") || verb.hasPrefix("REPLACE") {
                result.lastInsertID = sqlite3_last_insert_rowid(db)
            }
        }
        return result
    }

    /// The error of result code `rc`: SQLite's own text goes only into `serverMessage`; the
    /// message names the refusal class, table, columns and constraint.
    private func error(_ rc: Int32, sql: String) -> DatabaseError {
        let text = String(cString: sqlite3_errmsg(db))
        let refused = SQLiteRefusal.classify(rc, text)
        var e: DatabaseError
        switch rc & 0xff {
        case SQLITE_CONSTRAINT:
            e = DatabaseError.sqlite(.constraint, "", code: rc, sql: sql)
        case SQLITE_BUSY, SQLITE_LOCKED:
            return DatabaseError.sqlite(
                .timeout, "\(text) (another connection held the lock past the busy timeout)", code: rc, sql: sql)
        case SQLITE_INTERRUPT where deadline.map { ContinuousClock.now >= $0 } == true:
            return DatabaseError.sqlite(.timeout, "statement timeout exceeded", code: rc, sql: sql)
        default:
            e = DatabaseError.sqlite(.statement, "", code: rc, sql: sql)
        }
        e.refusal = refused?.refusal
        e.table = refused?.table
        e.columns = refused?.columns ?? []
        e.constraint = refused?.constraint
        e.serverMessage = text
        e.message =
            DatabaseError.summary(
                "SQLite", kind: e.kind, refusal: e.refusal, table: e.table, columns: e.columns, constraint: e.constraint
            )
            + " in `\(sql)`"
        return e
    }
}
