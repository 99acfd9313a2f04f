import CMariaDB
import DaBrokerCore
import Foundation

/// `mysql_library_init` once per process, before the first connection (a lazy global is
/// initialised exactly once, thread-safely).
private let mariaDBLibrary: Int32 = dab_mysql_library_init()

/// The state of one MariaDB/MySQL connection: the libmariadb handle and its prepared
/// statements. Used by one thread at a time: the connection's `DriverThread`, or a thread that
/// borrowed it from there (`DriverThread.borrow`, `WatchableDriver`).
final class MariaDBCore {
    private(set) var mysql: UnsafeMutablePointer<MYSQL>?
    private var cache = LRUTable<String, UnsafeMutablePointer<MYSQL_STMT>>(capacity: 128)
    private(set) var lost = false
    /// Whether statements may be sent without blocking (``start(_:_:)``).
    private(set) var nonblocking = false
    /// A statement sent by ``start(_:_:)`` that is not over.
    var pending: Pending?
    /// The outcome of a started statement that was over before it had to wait.
    var completed: Result<WatchedProgress, any Error>?
    private var place = "MariaDB"
    /// Whether the server is MariaDB (else MySQL), which decides the statement-timeout variable.
    private(set) var isMariaDB = true

    /// Runs on the connection's thread before anything else.
    init() {
        _ = mariaDBLibrary
        mysql_thread_init()
    }

    /// Closes the connection and ends the thread's use of libmariadb (last call on the thread).
    func finish() {
        close()
        mysql_thread_end()
    }

    func connect(_ url: MariaDBURL) throws {
        place = url.place
        guard mariaDBLibrary == 0 else {
            throw DatabaseError(.connection, "cannot connect to \(place): mysql_library_init failed")
        }
        guard let m = mysql_init(nil) else {
            throw DatabaseError(.connection, "cannot connect to \(place): out of memory")
        }
        var timeout = url.connectTimeout
        mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout)
        if var t = url.readTimeout { mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &t) }
        if var t = url.writeTimeout { mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &t) }
        var off: my_bool = 0
        var on: my_bool = 1
        mysql_options(m, MYSQL_OPT_RECONNECT, &off)
        mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        mysql_options(m, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'")
        if url.ssl { mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &on) }
        if url.sslVerify { mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on) }
        if url.socket == nil {
            // A URL names a host and port: use TCP even for "localhost" (which libmariadb would
            // otherwise take as "the default unix socket", ignoring the port).
            var tcp = MYSQL_PROTOCOL_TCP.rawValue
            mysql_options(m, MYSQL_OPT_PROTOCOL, &tcp)
        }
        if let ca = url.sslCA { mysql_ssl_set(m, nil, nil, ca, nil, nil) }
        // Statements may also be sent without blocking (`MariaDBCore+Watch.swift`), except with
        // TLS or timeouts, which the I/O thread's `poll` cannot serve.
        if !url.ssl && url.readTimeout == nil && url.writeTimeout == nil {
            nonblocking = mysql_options(m, MYSQL_OPT_NONBLOCK, nil) == 0
        }
        // CLIENT_FOUND_ROWS: UPDATE reports the rows it matched (as PostgreSQL does), not only
        // those whose values changed.
        let flags = UInt(CLIENT_FOUND_ROWS)
        let host = url.socket == nil ? url.host : nil
        guard mysql_real_connect(m, host, url.user, url.password, url.database, url.port, url.socket, flags) != nil
        else {
            let error = DatabaseError(
                .connection, "cannot connect to \(place): \(String(cString: mysql_error(m)))",
                sqlState: String(cString: mysql_sqlstate(m)), code: Int(mysql_errno(m)))
            mysql_close(m)
            throw error
        }
        mysql = m
        isMariaDB = String(cString: mysql_get_server_info(m)).localizedCaseInsensitiveContains("mariadb")
    }

    func close() {
        pending = nil
        completed = nil
        for stmt in cache.removeAll() { mysql_stmt_close(stmt) }
        if let mysql { mysql_close(mysql) }
        mysql = nil
    }

    /// A cheap round trip (COM_PING).
    func ping() -> Bool {
        guard let mysql, !lost else { return false }
        if mysql_ping(mysql) == 0 { return true }
        _ = error(code: mysql_errno(mysql), message: mysql_error(mysql), sqlState: mysql_sqlstate(mysql))
        return false
    }

    func execute(_ sql: String, _ parameters: [Value]) throws -> QueryResult {
        _ = try usable()
        var retried = false
        while true {
            let stmt = try prepare(sql)
            do {
                return try execute(stmt, parameters)
            } catch let e as DatabaseError where !retried && (e.code == 2057 || e.code == 1615) {
                // The statement's result columns changed (schema change): prepare it again.
                forget(sql)
                retried = true
            }
        }
    }

    private func execute(_ stmt: UnsafeMutablePointer<MYSQL_STMT>, _ parameters: [Value]) throws -> QueryResult {
        let expected = Int(mysql_stmt_param_count(stmt))
        guard expected == parameters.count else {
            throw DatabaseError(
                .parameter, "the statement has \(expected) parameters but \(parameters.count) values were given")
        }
        let params = try MariaDBParameterEncoder.bind(parameters)
        if expected > 0 && mysql_stmt_bind_param(stmt, params.binds) != 0 { throw error(stmt) }
        guard mysql_stmt_execute(stmt) == 0 else { throw error(stmt) }
        defer {
            mysql_stmt_free_result(stmt)
            while mysql_stmt_more_results(stmt) != 0 && mysql_stmt_next_result(stmt) == 0 {
                mysql_stmt_free_result(stmt)
            }
        }
        return try withExtendedLifetime(params) { try readResult(stmt) }
    }

    /// The statement-timeout variable and its value (0 = no limit).
    func timeoutSetting(milliseconds: Int64) -> (sql: String, value: Value) {
        if isMariaDB {
            return ("SET SESSION max_statement_time = ?", .decimal(Self.seconds(milliseconds)))
        }
        return ("SET SESSION max_execution_time = ?", .int(milliseconds))
    }

    /// Milliseconds as an exact decimal number of seconds ("1.500").
    private static func seconds(_ ms: Int64) -> String {
        let frac = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }

    private func usable() throws -> UnsafeMutablePointer<MYSQL> {
        guard let mysql else { throw DatabaseError.closed("MariaDB") }
        if lost { throw DatabaseError(.connectionLost, "the connection to \(place) was lost") }
        return mysql
    }

    /// The prepared statement of `sql`, if it is.
    func cached(_ sql: String) -> UnsafeMutablePointer<MYSQL_STMT>? { cache.get(sql) }

    /// Drops the statement of `sql` from the cache and closes it, to be prepared again.
    func forget(_ sql: String) {
        if let stale = cache.remove(sql) { mysql_stmt_close(stale) }
    }

    private func prepare(_ sql: String) throws -> UnsafeMutablePointer<MYSQL_STMT> {
        if let hit = cache.get(sql) { return hit }
        let mysql = try usable()
        guard let stmt = mysql_stmt_init(mysql) else {
            throw error(code: mysql_errno(mysql), message: mysql_error(mysql), sqlState: mysql_sqlstate(mysql))
        }
        let utf8 = Array(sql.utf8)
        guard mysql_stmt_prepare(stmt, utf8, UInt(utf8.count)) == 0 else {
            let e = error(stmt)
            mysql_stmt_close(stmt)
            throw e
        }
        var on: my_bool = 1
        mysql_stmt_attr_set(stmt, STMT_ATTR_UPDATE_MAX_LENGTH, &on)
        if let evicted = cache.set(sql, stmt) { mysql_stmt_close(evicted.element) }
        return stmt
    }

    private func readResult(_ stmt: UnsafeMutablePointer<MYSQL_STMT>) throws -> QueryResult {
        guard mysql_stmt_store_result(stmt) == 0 else { throw error(stmt) }
        return try readStored(stmt)
    }

    /// The result of `stmt`, once `mysql_stmt_store_result` read it all.
    func readStored(_ stmt: UnsafeMutablePointer<MYSQL_STMT>) throws -> QueryResult {
        guard let meta = mysql_stmt_result_metadata(stmt) else {
            if mysql_stmt_errno(stmt) != 0 { throw error(stmt) }
            let id = Int64(mysql_stmt_insert_id(stmt))
            return QueryResult(affectedRows: Int64(mysql_stmt_affected_rows(stmt)), lastInsertID: id > 0 ? id : nil)
        }
        defer { mysql_free_result(meta) }
        let count = Int(mysql_num_fields(meta))
        guard let fields = mysql_fetch_fields(meta) else { throw error(stmt) }
        var columns: [MariaDBColumn] = []
        for i in 0..<count { columns.append(try MariaDBColumn(fields + i)) }
        let binds = MariaDBBinds(count: count)
        for (i, c) in columns.enumerated() { c.bind(i, binds) }
        guard mysql_stmt_bind_result(stmt, binds.binds) == 0 else { throw error(stmt) }
        let names = columns.map(\.name)
        var rows: [Row] = []
        rows.reserveCapacity(Int(mysql_stmt_num_rows(stmt)))
        while true {
            let rc = mysql_stmt_fetch(stmt)
            if rc == MYSQL_NO_DATA { break }
            if rc == 1 { throw error(stmt) }
            var values: [Value] = []
            values.reserveCapacity(count)
            for (i, column) in columns.enumerated() {
                if binds.nulls[i] != 0 {
                    values.append(.null)
                    continue
                }
                let length = Int(binds.lengths[i])
                if length > Int(binds.binds[i].buffer_length), binds.binds[i].buffer_type != MYSQL_TYPE_NULL {
                    values.append(try refetch(stmt, column, i, length))
                } else if let buffer = binds.buffer(i) {
                    values.append(try column.value(buffer, length: length))
                }
            }
            rows.append(Row(columns: names, values: values))
        }
        return QueryResult(columns: names, rows: rows, affectedRows: Int64(mysql_stmt_affected_rows(stmt)))
    }

    /// Fetches a value longer than its column's buffer again, into a buffer of its full size.
    private func refetch(
        _ stmt: UnsafeMutablePointer<MYSQL_STMT>, _ column: MariaDBColumn, _ i: Int, _ length: Int
    ) throws -> Value {
        let one = MariaDBBinds(count: 1)
        let buffer = one.allocate(0, type: MYSQL_TYPE_BLOB, size: length)
        guard mysql_stmt_fetch_column(stmt, one.binds, UInt32(i), 0) == 0 else { throw error(stmt) }
        return try column.value(buffer, length: Int(one.lengths[0]))
    }

    func error(_ stmt: UnsafeMutablePointer<MYSQL_STMT>) -> DatabaseError {
        error(code: mysql_stmt_errno(stmt), message: mysql_stmt_error(stmt), sqlState: mysql_stmt_sqlstate(stmt))
    }

    /// Classifies a libmariadb/server error; marks the connection lost when it is. The server's
    /// text, which may quote values (`Duplicate entry '…'`), goes only into `serverMessage`.
    private func error(
        code: UInt32, message: UnsafePointer<CChar>?, sqlState: UnsafePointer<CChar>?
    ) -> DatabaseError {
        var text = message.map { String(cString: $0) } ?? ""
        if text.isEmpty { text = "MariaDB reported error \(code)" }
        let state = sqlState.map { String(cString: $0) }
        let kind: DatabaseError.Kind
        switch code {
        case 2002, 2003, 2006, 2013, 2055, 1053, 1927, 4031: kind = .connectionLost
        case 1969, 3024, 1205: kind = .timeout
        case 1213: kind = .transactionConflict
        default: kind = state?.hasPrefix("23") == true ? .constraint : .statement
        }
        let refused = kind == .constraint || kind == .statement ? MariaDBRefusal.classify(code, text) : nil
        let summary: String
        switch kind {
        case .connectionLost:
            lost = true
            summary = "the connection to \(place) was lost"
        case .timeout: summary = "the statement was cancelled (timeout or lock wait)"
        default:
            summary = DatabaseError.summary(
                "MariaDB", kind: kind, refusal: refused?.refusal, table: nil, columns: refused?.columns ?? [],
                constraint: refused?.constraint)
        }
        return DatabaseError(
            kind, summary, sqlState: state, code: Int(code), refusal: refused?.refusal,
            constraint: refused?.constraint, columns: refused?.columns ?? [], serverMessage: text)
    }
}
