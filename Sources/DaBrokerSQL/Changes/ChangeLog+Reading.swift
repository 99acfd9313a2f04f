import DaBrokerCore

/// Reading the log: the lease that elects the one server that tails it, the records after a
/// position, and pruning. Every statement is parameterised; times come from the database's
/// clock, so servers with different clocks agree.
extension ChangeLog {
    /// Seconds since the epoch on the database server's clock.
    var now: String {
        switch kind {
        case .postgres: return "extract(epoch from clock_timestamp())::float8"
        case .mysql: return "UNIX_TIMESTAMP(NOW(6))"
        case .sqlite: return "((julianday('now') - 2440587.5) * 86400.0)"
        }
    }

    private func p(_ i: Int) -> String { dialect.placeholder(i) }
    private var state: String { dialect.quote(Self.stateTable) }
    private var log: String { dialect.quote(Self.table) }

    /// Takes the lease for `holder` for `seconds` when it is free, expired or already
    /// `holder`'s, and says whether `holder` holds it now. Atomic: one conditional update.
    public func acquireLease(_ db: Database, holder: String, seconds: Double) async throws -> Bool {
        let r = try await db.execute(
            """
            UPDATE \(state) SET holder = \(p(0)), expires = \(now) + \(p(1)) \
            WHERE id = 1 AND (holder = \(p(2)) OR holder IS NULL OR expires < \(now))
            """, [.string(holder), .double(seconds), .string(holder)])
        return r.affectedRows > 0
    }

    /// Gives the lease up (a stopping server), so another takes over at once.
    public func releaseLease(_ db: Database, holder: String) async throws {
        _ = try await db.execute(
            "UPDATE \(state) SET holder = NULL, expires = 0 WHERE id = 1 AND holder = \(p(0))", [.string(holder)])
    }

    /// How far the log was read (`position`) and pruned (`pruned`).
    public func progress(_ db: Database) async throws -> (position: Int64, pruned: Int64) {
        let row = try await db.execute("SELECT position, pruned FROM \(state) WHERE id = 1").rows.first
        return (Self.int(row?[0]), Self.int(row?[1]))
    }

    /// Records that everything up to `position` was broadcast; false when `holder` lost the
    /// lease meanwhile.
    @discardableResult
    public func savePosition(_ db: Database, holder: String, position: Int64) async throws -> Bool {
        let r = try await db.execute(
            "UPDATE \(state) SET position = \(p(0)) WHERE id = 1 AND holder = \(p(1))",
            [.int(position), .string(holder)])
        return r.affectedRows > 0 || kind == .mysql  // MariaDB counts only rows it changed
    }

    /// Up to `limit` records after `position`, oldest first.
    public func records(after position: Int64, limit: Int, _ db: Database) async throws -> [Record] {
        let rows = try await db.execute(
            "SELECT id, tbl, op, k, origin FROM \(log) WHERE id > \(p(0)) ORDER BY id LIMIT \(max(1, limit))",
            [.int(position)]
        ).rows
        return rows.compactMap { row in
            guard case .string(let table) = row[1], case .string(let op) = row[2],
                let operation = Record.Operation(rawValue: op.trimmingCharacters(in: .whitespaces)),
                case .string(let key) = row[3]
            else { return nil }
            return Record(
                id: Self.int(row[0]), table: table, operation: operation, key: key, byGateway: row[4] != .null)
        }
    }

    /// Deletes the records older than `seconds` and returns the highest id pruning has removed
    /// so far (kept in the state row, so a server that had read less knows it missed some).
    public func prune(olderThan seconds: Double, _ db: Database) async throws -> Int64 {
        let cutoff: String
        switch kind {
        case .postgres: cutoff = "now() - make_interval(secs => \(p(0)))"
        case .mysql: cutoff = "NOW(6) - INTERVAL \(p(0)) SECOND"
        case .sqlite: cutoff = "julianday('now') - \(p(0)) / 86400.0"
        }
        let top = try await db.execute("SELECT MAX(id) FROM \(log) WHERE at < \(cutoff)", [.double(seconds)])
            .rows.first?[0]
        if let top, top != .null {
            let id = Self.int(top)
            _ = try await db.execute("DELETE FROM \(log) WHERE id <= \(p(0))", [.int(id)])
            _ = try await db.execute(
                "UPDATE \(state) SET pruned = \(p(0)) WHERE id = 1 AND pruned < \(p(1))", [.int(id), .int(id)])
        }
        return try await progress(db).pruned
    }

    static func int(_ v: Value?) -> Int64 {
        switch v {
        case .int(let i)?: return i
        case .decimal(let s)?, .string(let s)?: return Int64(s) ?? 0
        case .double(let d)?: return Int64(d)
        default: return 0
        }
    }
}
