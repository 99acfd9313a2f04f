import DaBrokerCore
import DaBrokerSQL
import OrderedCollections

extension SQLTableService {
    /// `new` with `_rows`: every row inserted in one transaction (all or nothing), the created
    /// objects in order, one `invalid_key` broadcast per row after the commit. An error names
    /// the index of the failing row (from 0), never its values.
    func bulkNew(_ m: SQLTableModel, _ rows: Value, server: BrokerServer) async throws -> CallOutcome {
        guard case .list(let list) = rows else {
            throw BrokerError.badRequest("new on '\(m.name)': _rows must be a list of dictionaries")
        }
        var prepared: [(values: [(String, Value)], writes: ForeignKeyWrites)] = []
        for (i, row) in list.enumerated() {
            try await Self.naming(row: i) {
                guard case .dict(let named) = row else {
                    throw BrokerError.badRequest("new on '\(m.name)': each element of _rows must be a dictionary")
                }
                var writes = ForeignKeyWrites()
                for (name, value) in named { note(name, value, of: m, in: &writes) }
                try checkForeignKeyWrites(m, writes, method: Method.new)
                prepared.append((try insertValues(m, named), writes))
            }
        }
        let created: [ObjectValue] = try await database.withSession(transactional: transactional(m)) { _ in
            var out: [ObjectValue] = []
            out.reserveCapacity(prepared.count)
            for (i, p) in prepared.enumerated() {
                out.append(try await Self.naming(row: i) { try await insertRow(m, p.values) })
            }
            return out
        }
        var withheld = Set<ObjectKey>()
        for (object, p) in zip(created, prepared) {
            await server.broadcastInvalidation(key: nil, meta: tableKey(m.name), changes: Self.changes(nil, object))
            withheld.formUnion(withheldRefs(m, object, p.writes))
        }
        return CallOutcome(.list(created.map { .value(.object($0)) }), include: true, withheld: withheld)
    }

    /// `body`'s error with the index of the `_rows` element it is about.
    static func naming<T>(row: Int, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as BrokerError {
            var details = e.details
            details["row"] = String(row)
            throw BrokerError(e.kind, "row \(row) of _rows: " + e.message, details: details)
        }
    }

    /// `upsert`: the row whose `_on` columns (the primary key by default, or a unique key)
    /// hold the given values is updated with the other given values, checking `_old` as
    /// `update` does (`StaleData`, nothing written); when there is none it is created.
    ///
    /// One transaction: the row is looked up with `FOR UPDATE` (PostgreSQL, MariaDB; SQLite's
    /// transaction holds the database), then updated, or inserted with `ON CONFLICT DO NOTHING`
    /// (PostgreSQL, SQLite), so that a row created by someone else in between is updated,
    /// old-value check included, instead of failing. On MariaDB the lookup's lock (next-key,
    /// REPEATABLE READ) keeps others from inserting that key until the commit.
    func upsert(_ m: SQLTableModel, _ args: CallArguments, server: BrokerServer) async throws -> CallOutcome {
        guard m.hasPrimaryKey else {
            throw BrokerError.readOnly(
                "table '\(m.name)' has no primary key: rows cannot be created through the broker")
        }
        var named = args.named
        let onValue = named.removeValue(forKey: "_on")
        let oldValue = named.removeValue(forKey: "_old")
        let on = try upsertKey(m, onValue)
        var writes = ForeignKeyWrites()
        for (name, value) in named { note(name, value, of: m, in: &writes) }
        try checkForeignKeyWrites(m, writes, method: Method.upsert)
        let values = try insertValues(m, named, method: Method.upsert)
        let given = Dictionary(values, uniquingKeysWith: { a, _ in a })
        let keyValues = try on.map { c -> (String, Value) in
            guard let v = given[c], !v.isNull else {
                throw BrokerError.badRequest("upsert on '\(m.name)': the key column '\(c)' needs a value")
            }
            return (c, v)
        }
        var expect: [(String, Value)] = []
        switch oldValue {
        case nil, .null?: break
        case .dict(let old)?:
            for (name, v) in old {
                if m.fields.contains(name) {
                    expect.append((name, try scalar(v, m, name, Method.upsert)))
                } else if let r = m.ref(name) {
                    expect += try refColumns(r, v, m, Method.upsert)
                } else {
                    throw BrokerError.badRequest(
                        "upsert on '\(m.name)': no column or ref '\(BrokerError.excerpt(name))' in _old")
                }
            }
        default: throw BrokerError.badRequest("upsert on '\(m.name)': _old must be a dictionary of column: value")
        }
        let set = values.filter { !on.contains($0.0) }
        let (before, after) = try await database.withSession(transactional: transactional(m)) {
            _ -> (ObjectValue?, ObjectValue) in
            if let found = try await lockRow(m, keyValues) {
                return (found, try await updateFound(m, found, set, keyValues, expect))
            }
            let st = statements.insertIfAbsent(
                into: m.table.name, schema: schemaName(m), values: values, conflict: on, returning: m.table.primaryKey)
            let r = try await run(st, Method.upsert, m)
            if database.kind != .mysql && r.rows.isEmpty && r.affectedRows == 0 {
                // Someone else created it since the lookup: update theirs, checking _old.
                guard let found = try await lockRow(m, keyValues) else {
                    throw BrokerError(.staleData, "upsert on '\(m.name)': the row changed while it was written")
                }
                return (found, try await updateFound(m, found, set, keyValues, expect))
            }
            return (nil, try await fetchRow(m, try insertedKey(m, values, r)))
        }
        let diff = Self.changes(before, after)
        if !diff.isEmpty {
            await server.broadcastInvalidation(
                key: before == nil ? nil : after.ref.key, meta: tableKey(m.name), changes: diff)
        }
        return CallOutcome(
            .dict(["object": .value(.object(after)), "created": .value(.bool(before == nil))]), include: true,
            withheld: withheldRefs(m, after, writes))
    }

    /// `_on`: the primary key (default) or the columns of a unique key, in any order.
    private func upsertKey(_ m: SQLTableModel, _ v: Value?) throws -> [String] {
        guard let v, v != .null else { return m.table.primaryKey }
        guard case .list(let items) = v else {
            throw BrokerError.badRequest("upsert on '\(m.name)': _on must be a list of column names")
        }
        let names = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        let keys = [m.table.primaryKey] + m.table.uniqueConstraints.map(\.columns)
        guard names.count == items.count,
            let key = keys.first(where: { Set($0) == Set(names) && $0.count == names.count }),
            key.allSatisfy(m.fields.contains)
        else {
            throw BrokerError.badRequest(
                "upsert on '\(m.name)': _on must name the columns of the primary key or of a unique key")
        }
        return key
    }

    /// The row with these key values, locked for the transaction; nil when there is none.
    private func lockRow(_ m: SQLTableModel, _ key: [(String, Value)]) async throws -> ObjectValue? {
        let st = statements.select(
            m.selectColumns, from: m.table.name, schema: schemaName(m),
            condition: .and(key.map { .compare($0.0, .equal, $0.1) }), limit: 1, forUpdate: true)
        return try await run(st, Method.upsert, m).rows.first.map { materialize(m, $0) }
    }

    /// Updates a found row with `set` if the `expect` values still hold (else `StaleData`).
    private func updateFound(
        _ m: SQLTableModel, _ found: ObjectValue, _ set: [(String, Value)], _ key: [(String, Value)],
        _ expect: [(String, Value)]
    ) async throws -> ObjectValue {
        let pk = Array(found.ref.key.parts.dropFirst(2))
        // Primary-key values given (with `_on` a unique key) must be the found row's: a key
        // is never changed by an upsert.
        var set = set
        for (column, value) in zip(m.table.primaryKey, pk) {
            guard let i = set.firstIndex(where: { $0.0 == column }) else { continue }
            guard set[i].1 == value else {
                throw BrokerError.badRequest(
                    "upsert on '\(m.name)': key column '\(column)' differs from the row found by _on; a key cannot be changed"
                )
            }
            set.remove(at: i)
        }
        guard !set.isEmpty || !expect.isEmpty else { return found }
        // With nothing to set, a key column set to its own value checks _old and writes nothing.
        let writes = set.isEmpty ? [key[0]] : set
        let st = statements.update(
            m.table.name, schema: schemaName(m), set: writes, where: Array(zip(m.table.primaryKey, pk)),
            expecting: expect)
        let r = try await run(st, Method.upsert, m)
        if r.affectedRows == 0 {
            let stale = expect.first.map(\.0) ?? ""
            throw BrokerError(
                .staleData, "upsert on \(found.ref.key): a value in _old was changed by someone else; nothing written",
                details: ["field": stale])
        }
        return try await fetchRow(m, pk)
    }
}
