import CSQLite3

/// The floor under the SQLite driver: the same primary-key SELECT as ``DriverFloors``, in a
/// minimal loop straight over libsqlite3 (one prepared statement, each row checked). It says
/// how much of the driver's figure is libsqlite3's own.
enum SQLiteCFloor {
    /// p50 / p99 in µs of one primary-key SELECT on the bench table of the SQLite file `path`.
    static func selectPK(path: String, settings: BenchSettings) async throws -> (p50: Double, p99: Double) {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
            sqlite3_close_v2(db)
            throw BenchFailure("sqlite3_open_v2 failed on \(path)")
        }
        defer { sqlite3_close_v2(db) }
        let sql = "SELECT id, name, n, note FROM \(BenchDatabase.table) WHERE id = ?1"
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw BenchFailure("sqlite3_prepare_v2 failed: \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(statement) }
        var i: Int64 = 0
        return try await BenchStats.latency(calls: settings.calls, warmUp: settings.warmUp) {
            i = i % 1000 + 1
            sqlite3_bind_int64(statement, 1, i)
            defer { sqlite3_reset(statement) }
            guard sqlite3_step(statement) == SQLITE_ROW, sqlite3_column_int64(statement, 0) == i,
                sqlite3_column_text(statement, 1) != nil
            else { throw BenchFailure("primary-key SELECT over libsqlite3 found no row \(i)") }
        }
    }
}
