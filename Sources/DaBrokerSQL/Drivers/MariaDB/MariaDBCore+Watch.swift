import CMariaDB
import DaBrokerCore
import Foundation

/// Statements sent without blocking, with libmariadb's non-blocking API
/// (`mysql_stmt_execute_start` / `_cont`, then `mysql_stmt_store_result_start` / `_cont`), their
/// answers awaited in another thread's `poll` (``WatchableDriver``).
extension MariaDBCore: WatchableDriver {
    /// A statement started and not over: which step it is in and what that step waits for.
    struct Pending {
        var sql: String
        var stmt: UnsafeMutablePointer<MYSQL_STMT>
        /// The parameters, bound to `stmt` until it is over.
        var binds: MariaDBBinds
        /// Whether the statement ran and its result is being read.
        var storing = false
        /// What the last `_start`/`_cont` call waits for (`MYSQL_WAIT_…`; 0 when its step is over).
        var status: Int32
        /// The step's return value once it is over (0 on success).
        var ret: Int32
        /// What the poll waits for (the `status` when ``start(_:_:)`` returned).
        var polledFor: Int32 = 0
    }

    /// Largest parameters, in bytes, ``start(_:_:)`` sends.
    static let startLimit = 8 * 1024

    /// Sends `sql` without waiting; `false` when it must run with ``execute(_:_:)``: not
    /// prepared yet on this connection, a TLS connection or one with timeouts (see `connect`),
    /// parameters over ``startLimit`` bytes, or a `CALL` (whose further results would be read
    /// blocking).
    func start(_ sql: String, _ parameters: [Value]) throws -> Bool {
        guard nonblocking, pending == nil, completed == nil, !lost, let stmt = cached(sql),
            Int(mysql_stmt_param_count(stmt)) == parameters.count, !Self.isCall(sql)
        else { return false }
        let binds = try MariaDBParameterEncoder.bind(parameters)
        let size = (0..<parameters.count).reduce(0) { $0 + Int(binds.binds[$1].buffer_length) }
        guard size <= Self.startLimit else { return false }
        if !parameters.isEmpty && mysql_stmt_bind_param(stmt, binds.binds) != 0 { throw error(stmt) }
        var ret: Int32 = 0
        let status = mysql_stmt_execute_start(&ret, stmt)
        pending = Pending(sql: sql, stmt: stmt, binds: binds, status: status, ret: ret)
        let progress = Result { try advance(ready: 0, blocking: false) }
        switch progress {
        case .success(.waiting), .success(.finishOnThread):
            if let status = pending?.status { pending?.polledFor = status }
        default:
            // Over already (the answer was there at once): the socket polls writable at once,
            // and `collect` hands the outcome over.
            completed = progress
        }
        return true
    }

    var socket: Int32 { mysql.map { Int32(mysql_get_socket($0)) } ?? -1 }

    var awaitedEvents: Int16 {
        guard completed == nil, let status = pending?.status else { return Int16(POLLOUT) }
        return Self.events(status)
    }

    func collect(polled revents: Int16) throws -> WatchedProgress {
        if let outcome = completed {
            completed = nil
            return try outcome.get()
        }
        return try advance(ready: Self.ready(revents), blocking: false)
    }

    func finishBlocking() throws -> WatchedProgress {
        if let outcome = completed {
            completed = nil
            return try outcome.get()
        }
        return try advance(ready: 0, blocking: true)
    }

    /// Drives the started statement as far as it goes: with `ready` (`MYSQL_WAIT_…` that
    /// happened) for the step that waits; without `blocking`, up to the next wait.
    private func advance(ready: Int32, blocking: Bool) throws -> WatchedProgress {
        guard var p = pending else { throw DatabaseError.closed("MariaDB") }
        var ready = ready
        while true {
            if p.status != 0 {
                if ready == 0 {
                    guard blocking else {
                        pending = p
                        // The poll waits for what the statement waited for when it started.
                        return p.polledFor == 0 || p.status == p.polledFor ? .waiting : .finishOnThread
                    }
                    ready = wait(for: p.status)
                    continue
                }
                var ret: Int32 = 0
                p.status =
                    p.storing
                    ? mysql_stmt_store_result_cont(&ret, p.stmt, ready) : mysql_stmt_execute_cont(&ret, p.stmt, ready)
                p.ret = ret
                ready = 0
            } else if !p.storing && p.ret == 0 {
                p.storing = true
                var ret: Int32 = 0
                p.status = mysql_stmt_store_result_start(&ret, p.stmt)
                p.ret = ret
            } else {
                pending = nil
                return try finish(p)
            }
        }
    }

    /// The answer of a statement whose steps are over.
    private func finish(_ p: Pending) throws -> WatchedProgress {
        guard p.ret == 0 else {
            let e = error(p.stmt)
            mysql_stmt_free_result(p.stmt)
            // The statement's result columns changed (schema change): prepare it again.
            if e.code == 2057 || e.code == 1615 {
                forget(p.sql)
                return .again
            }
            throw e
        }
        defer { mysql_stmt_free_result(p.stmt) }
        return .done(try withExtendedLifetime(p.binds) { try readStored(p.stmt) })
    }

    /// Waits (blocking) on the socket for what `status` asks; the `MYSQL_WAIT_…` that happened.
    private func wait(for status: Int32) -> Int32 {
        var fd = pollfd(fd: socket, events: Self.events(status), revents: 0)
        var timeout: Int32 = -1
        if status & MYSQL_WAIT_TIMEOUT != 0, let mysql {
            timeout = Int32(clamping: mysql_get_timeout_value_ms(mysql))
        }
        let n = poll(&fd, 1, timeout)
        if n == 0 { return MYSQL_WAIT_TIMEOUT }
        return n < 0 ? status : Self.ready(fd.revents)
    }

    private static func events(_ status: Int32) -> Int16 {
        var events: Int16 = 0
        if status & MYSQL_WAIT_READ != 0 { events |= Int16(POLLIN) }
        if status & MYSQL_WAIT_WRITE != 0 { events |= Int16(POLLOUT) }
        if status & MYSQL_WAIT_EXCEPT != 0 { events |= Int16(POLLPRI) }
        return events
    }

    /// The `MYSQL_WAIT_…` bits for `poll`'s `revents` (an error or hang-up counts as ready:
    /// libmariadb's next read or write reports it).
    private static func ready(_ revents: Int16) -> Int32 {
        var ready: Int32 = 0
        if revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 { ready |= MYSQL_WAIT_READ }
        if revents & Int16(POLLOUT) != 0 { ready |= MYSQL_WAIT_WRITE }
        if revents & Int16(POLLPRI) != 0 { ready |= MYSQL_WAIT_EXCEPT }
        return ready
    }

    /// Whether `sql` is a `CALL` (a stored procedure may return several results).
    private static func isCall(_ sql: String) -> Bool {
        let start = sql.utf8.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D || $0 == 0x28 }
        return start.prefix(4).map { $0 | 0x20 } == Array("call".utf8)
    }
}
