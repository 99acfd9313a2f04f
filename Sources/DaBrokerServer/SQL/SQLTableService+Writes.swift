import DaBrokerCore
import DaBrokerSQL
import OrderedCollections

extension SQLTableService {
    /// Inserts a row and returns it whole (read back in the same transaction); broadcasts
    /// `invalid_key` for a created object after the transaction.
    func insert(_ m: SQLTableModel, _ values: [(String, Value)], server: BrokerServer) async throws -> ObjectValue {
        let created: ObjectValue = try await database.withSession(transactional: transactional(m)) { _ in
            try await insertRow(m, values)
        }
        await server.broadcastInvalidation(key: nil, meta: tableKey(m.name), changes: Self.changes(nil, created))
        return created
    }

    /// Inserts a row and reads it back whole, in the caller's session: on PostgreSQL in the
    /// same statement (`RETURNING` the exported columns), elsewhere by its key.
    func insertRow(_ m: SQLTableModel, _ values: [(String, Value)]) async throws -> ObjectValue {
        let whole = database.kind == .postgres && m.hasPrimaryKey
        let st = statements.insert(
            into: m.table.name, schema: schemaName(m), values: values,
            returning: whole ? m.selectColumns : m.hasPrimaryKey ? m.table.primaryKey : [])
        let r = try await run(st, Method.new, m)
        if whole, let row = r.rows.first { return materialize(m, row) }
        return try await fetchRow(m, try insertedKey(m, values, r))
    }

    func insertedKey(_ m: SQLTableModel, _ values: [(String, Value)], _ r: QueryResult) throws -> [Value] {
        guard m.hasPrimaryKey else {
            throw BrokerError.readOnly(
                "table '\(m.name)' has no primary key: rows cannot be created through the broker")
        }
        if let row = r.rows.first, m.table.primaryKey.allSatisfy({ row[$0] != nil }) {
            return m.table.primaryKey.map { row[$0] ?? .null }
        }
        let given = Dictionary(values, uniquingKeysWith: { a, _ in a })
        if m.table.primaryKey.allSatisfy({ given[$0] != nil }) { return m.table.primaryKey.map { given[$0] ?? .null } }
        if m.table.primaryKey.count == 1, let id = r.lastInsertID { return [.int(id)] }
        throw BrokerError.internal("new on '\(m.name)': the database did not report the new row's key")
    }

    /// The client's `update`: checks every old value in the same statement
    /// (`UPDATE … WHERE key AND col IS NOT DISTINCT FROM old …`); when no row matched, re-reads
    /// the row in the same transaction to name the stale field (`StaleData`, nothing written).
    func update(
        _ m: SQLTableModel, _ keyValues: [Value], _ changes: OrderedDictionary<String, [Value]>, server: BrokerServer
    ) async throws -> ObjectValue {
        var set: [(String, Value)] = []
        var expect: [(String, Value)] = []
        for (name, pair) in changes {
            if m.fields.contains(name) {
                guard !m.keyColumns.contains(name) else {
                    throw BrokerError.badRequest("update on '\(m.name)': key column '\(name)' cannot be changed")
                }
                try checkWritable(m, name, Method.update)
                set.append((name, try scalar(pair[1], m, name, Method.update, write: true)))
                expect.append((name, try scalar(pair[0], m, name, Method.update)))
            } else if let r = m.ref(name) {
                set += try refColumns(r, pair[1], m, Method.update)
                expect += try refColumns(r, pair[0], m, Method.update)
            } else {
                throw BrokerError.badRequest(
                    "update on '\(m.name)': no column or ref '\(BrokerError.excerpt(name))' to change")
            }
        }
        let key = Array(zip(m.keyColumns, keyValues))
        let (before, after) = try await database.withSession(transactional: transactional(m)) { _ in
            let before = try await fetchRow(m, keyValues)
            guard !set.isEmpty else { return (before, before) }
            let st = statements.update(m.table.name, schema: schemaName(m), set: set, where: key, expecting: expect)
            let r = try await run(st, Method.update, m)
            if r.affectedRows == 0 {
                let now = try await fetchRow(m, keyValues)
                // No row matched the old values, so nothing was written. Under REPEATABLE READ
                // (MariaDB's default) the re-read sees the transaction's snapshot, which may still
                // hold the old values: then the stale field is unknown, but it is StaleData all the same.
                let stale = Self.staleField(now, changes) ?? changes.keys.first ?? ""
                throw BrokerError(
                    .staleData, "update on \(now.ref.key): '\(stale)' was changed by someone else; nothing written",
                    details: ["field": stale])
            }
            return (before, try await fetchRow(m, keyValues))
        }
        let diff = Self.changes(before, after)
        if !diff.isEmpty {
            await server.broadcastInvalidation(key: after.ref.key, meta: tableKey(m.name), changes: diff)
        }
        return after
    }

    /// The first change whose old value differs from the row's current value.
    static func staleField(_ row: ObjectValue, _ changes: OrderedDictionary<String, [Value]>) -> String? {
        for (name, pair) in changes {
            if let current = row.fields[name] {
                if current != pair[0] { return name }
            } else if let current = row.refs[name] {
                let old: ObjectKey? = {
                    switch pair[0] {
                    case .ref(let r): return r.key
                    case .object(let o): return o.ref.key
                    default: return nil
                    }
                }()
                if current?.key != old { return name }
            }
        }
        return nil
    }

    /// Deletes a row (read first, for the broadcast) and broadcasts its last values.
    func delete(_ m: SQLTableModel, _ keyValues: [Value], server: BrokerServer) async throws {
        guard m.hasPrimaryKey else {
            throw BrokerError.readOnly(
                "table '\(m.name)' has no primary key: rows cannot be deleted through the broker")
        }
        let key = Array(zip(m.keyColumns, keyValues))
        let before: ObjectValue = try await database.withSession(transactional: transactional(m)) { _ in
            let before = try await fetchRow(m, keyValues)
            let r = try await run(
                statements.delete(from: m.table.name, schema: schemaName(m), where: key), Method.delete, m)
            guard r.affectedRows > 0 else { throw BrokerError.noData("no row \(before.ref.key) in '\(m.name)'") }
            return before
        }
        await server.broadcastInvalidation(
            key: before.ref.key, meta: tableKey(m.name), changes: Self.changes(before, nil))
    }

    /// The attribute changes between two states of a row (exported fields and refs only):
    /// `[old, new]` for an update, `[value]` for a created (`before` nil) or deleted row.
    static func changes(_ before: ObjectValue?, _ after: ObjectValue?) -> OrderedDictionary<String, [Value]> {
        var out = OrderedDictionary<String, [Value]>()
        let fields = (after ?? before)?.fields.keys ?? []
        for f in fields {
            let b = before?.fields[f] ?? .null
            let a = after?.fields[f] ?? .null
            if before == nil { out[f] = [a] } else if after == nil { out[f] = [b] } else if a != b { out[f] = [b, a] }
        }
        let refs = ((after ?? before)?.refs.keys ?? []).filter { $0 != "_meta" }
        for r in refs {
            let b: Value = (before?.refs[r] ?? nil).map { .ref($0.withoutCode) } ?? .null
            let a: Value = (after?.refs[r] ?? nil).map { .ref($0.withoutCode) } ?? .null
            if before == nil { out[r] = [a] } else if after == nil { out[r] = [b] } else if a != b { out[r] = [b, a] }
        }
        return out
    }

    /// Whether `m`'s rows take part in transactions (MariaDB MyISAM/Aria tables do not).
    func transactional(_ m: SQLTableModel) -> Bool { m.table.isTransactional ?? true }
}
