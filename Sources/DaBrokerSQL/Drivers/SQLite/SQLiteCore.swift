import CSQLite3
import DaBrokerCore
import Foundation

/// The thread-confined half of an ``SQLiteConnection``: the sqlite3 handle, its prepared
/// statements and the running statement's deadline. Made and closed on the connection's
/// ``DriverThread`` and used by one thread at a time: that one, or a thread that borrowed it
/// from there for a brief query (`DriverThread.borrow`, `BriefDriver`); so it needs no locking.
final class SQLiteCore: BriefDriver {
    /// The most prepared statements kept (least recently used evicted beyond it).
    private static let cacheLimit = 64

    let filename: String
    let statementTimeout: Duration?
    private var db: OpaquePointer?
    private var cache = LRUTable<String, OpaquePointer>(capacity: SQLiteCore.cacheLimit)
    /// The result columns of the cached statements, read once per statement.
    private var shapes: [OpaquePointer: ResultShape] = [:]
    private var deadline: ContinuousClock.Instant?
    /// How long a statement waits for another connection's lock (`sqlite3_busy_timeout`).
    private var busyMilliseconds: Int32 = 0
    /// Progress-handler calls left to a statement run by ``executeBriefly(_:_:)``; `nil` otherwise.
    private var briefBudget: Int?

    init(filename: String, statementTimeout: Duration?) {
        self.filename = filename
        self.statementTimeout = statementTimeout
    }

    /// Opens the database, configures it, and installs the statement-timeout handler if any.
    func open(busyMilliseconds: Int32, journalMode: SQLiteJournalMode?) throws {
        db = try Self.openHandle(filename, busyMilliseconds: busyMilliseconds, journalMode: journalMode)
        self.busyMilliseconds = busyMilliseconds
        installProgressHandler()
    }

    /// Most progress-handler calls (each 1,000 virtual-machine steps) of a statement run by
    /// ``executeBriefly(_:_:)``: about a millisecond of work.
    static let briefSteps = 100

    /// Runs `sql` at once if it is brief, for a caller on a thread that must not wait long (an
    /// AMQP I/O thread); `nil`, with nothing changed, when it is not: a statement not prepared
    /// yet here, one that is not a query (writes, transaction control), one that would wait for
    /// another connection's lock, or one that runs past ``briefSteps``. Such statements run on the connection's thread instead.
    func executeBriefly(_ sql: String, _ parameters: [Value]) throws -> QueryResult? {
        // Queries only: a read-only statement without columns may still wait (COMMIT, BEGIN).
        guard let db, let stmt = cache.get(sql), sqlite3_stmt_readonly(stmt) != 0, sqlite3_column_count(stmt) > 0
        else { return nil }
        sqlite3_busy_timeout(db, 0)
        briefBudget = Self.briefSteps
        defer {
            briefBudget = nil
            sqlite3_busy_timeout(db, busyMilliseconds)
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
        }
        do {
            return try step(stmt, sql: sql, parameters: parameters, on: db)
        } catch let e as DatabaseError {
            let code = Int32(e.code ?? 0) & 0xff
            if code == SQLITE_BUSY || code == SQLITE_LOCKED || (code == SQLITE_INTERRUPT && briefBudget == 0) {
                return nil
            }
            throw e
        }
    }

    /// Finalizes every statement and closes the handle (at most once).
    func close() {
        guard let db else { return }
        for stmt in cache.removeAll() { sqlite3_finalize(stmt) }
        shapes = [:]
        sqlite3_close_v2(db)
        self.db = nil
    }

    /// Whether the handle answers `SELECT 1`.
    func ping() -> Bool {
        guard let db else { return false }
        return sqlite3_exec(db, "SELECT 1", nil, nil, nil) == SQLITE_OK
    }

    /// Runs one statement (or a `;`-separated script without parameters).
    func execute(_ sql: String, _ parameters: [Value]) throws -> QueryResult {
        guard let db else { throw DatabaseError.sqlite(.closed, "the SQLite connection is closed") }
        return try execute(sql, parameters, on: db)
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

    private func installProgressHandler() {
        guard let db else { return }
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_progress_handler(
            db, 1000,
            { ctx in
                guard let ctx else { return 0 }
                // Runs inside sqlite3_step, on the thread that runs the statement (the
                // connection's, or one that borrowed it); the handler is removed with the
                // handle in `close`, so the unretained reference is alive.
                let conn = Unmanaged<SQLiteCore>.fromOpaque(ctx).takeUnretainedValue()
                if let budget = conn.briefBudget {
                    conn.briefBudget = max(budget - 1, 0)
                    if budget <= 1 { return 1 }
                }
                guard let deadline = conn.deadline else { return 0 }
                return ContinuousClock.now >= deadline ? 1 : 0
            }, context)
    }

    private func execute(_ sql: String, _ parameters: [Value], on db: OpaquePointer) throws -> QueryResult {
        deadline = statementTimeout.map { ContinuousClock.now + $0 }
        defer { deadline = nil }
        let (stmt, hasTail) = try prepare(sql, on: db)
        if hasTail {
            defer { sqlite3_finalize(stmt) }
            guard parameters.isEmpty else {
                throw DatabaseError.sqlite(
                    .parameter, "a statement with parameters must be a single statement", sql: sql)
            }
            return try executeScript(sql, on: db)
        }
        defer {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
        }
        return try step(stmt, sql: sql, parameters: parameters, on: db)
    }

    /// A cached prepared statement for `sql`, and whether text follows its first statement.
    private func prepare(_ sql: String, on db: OpaquePointer) throws -> (OpaquePointer, Bool) {
        if let stmt = cache.get(sql) { return (stmt, false) }
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
            throw error(rc, sql: sql, on: db)
        }
        if let evicted = cache.set(sql, stmt) {
            shapes[evicted.element] = nil
            sqlite3_finalize(evicted.element)
        }
        return (stmt, false)
    }

    /// Runs several `;`-separated statements without parameters (DDL scripts); returns the last result.
    private func executeScript(_ sql: String, on db: OpaquePointer) throws -> QueryResult {
        var result = QueryResult()
        try sql.withCString { base in
            var next: UnsafePointer<CChar>? = base
            while let start = next, start.pointee != 0 {
                var stmt: OpaquePointer?
                let rc = sqlite3_prepare_v2(db, start, -1, &stmt, &next)
                guard rc == SQLITE_OK else { throw error(rc, sql: sql, on: db) }
                guard let stmt else { continue }  // whitespace or a comment
                defer { sqlite3_finalize(stmt) }
                result = try step(stmt, sql: sql, parameters: [], on: db, cached: false)
            }
        }
        return result
    }

    /// The names and declared types of a statement's result columns.
    private struct ResultShape {
        /// `SQLITE_STMTSTATUS_REPREPARE` when they were read: SQLite prepares a statement
        /// again after a schema change, and its columns may then differ.
        var reprepares: Int32
        var columns: [String]
        var types: [SQLiteColumnType]
    }

    /// The result columns of `stmt`: read from SQLite, or kept from an earlier run of a cached
    /// statement that was not prepared again since.
    private func shape(of stmt: OpaquePointer, cached: Bool) -> ResultShape {
        let reprepares = sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_REPREPARE, 0)
        let n = sqlite3_column_count(stmt)
        if cached, let kept = shapes[stmt], kept.reprepares == reprepares, kept.columns.count == n { return kept }
        let shape = ResultShape(
            reprepares: reprepares,
            columns: (0..<n).map { sqlite3_column_name(stmt, $0).map { String(cString: $0) } ?? "" },
            types: (0..<n).map {
                SQLiteColumnType(declared: sqlite3_column_decltype(stmt, $0).map { String(cString: $0) })
            })
        if cached { shapes[stmt] = shape }
        return shape
    }

    private func step(
        _ stmt: OpaquePointer, sql: String, parameters: [Value], on db: OpaquePointer, cached: Bool = true
    ) throws -> QueryResult {
        let expected = Int(sqlite3_bind_parameter_count(stmt))
        guard expected == parameters.count else {
            throw DatabaseError.sqlite(
                .parameter, "the statement takes \(expected) parameters but \(parameters.count) were given", sql: sql)
        }
        for (i, p) in parameters.enumerated() {
            try SQLiteValueMapping.bind(p, to: stmt, at: Int32(i + 1))
        }
        var rows: [Row] = []
        var undecoded: [UndecodedValue] = []
        var rc = sqlite3_step(stmt)
        // After the first step: a statement SQLite had to prepare again (the schema changed)
        // is, from there, the new one, with its own columns.
        let shape = shape(of: stmt, cached: cached)
        let columns = shape.columns
        let types = shape.types
        let n = Int32(columns.count)
        while rc == SQLITE_ROW {
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
            rc = sqlite3_step(stmt)
        }
        guard rc == SQLITE_DONE else { throw error(rc, sql: sql, on: db) }
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
    private func error(_ rc: Int32, sql: String, on db: OpaquePointer) -> DatabaseError {
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
