import DaBrokerCore
import DaBrokerSQL
import OrderedCollections

extension SQLTableService {
    private func server() throws -> BrokerServer {
        guard let broker else { throw BrokerError.unavailable("the broker server of loader '\(id)' is gone") }
        return broker
    }

    private func columns(_ m: SQLTableModel, _ values: [String: Value], _ op: String) throws -> [(String, Value)] {
        let known = Set(m.table.columns.map(\.name))
        if let bad = values.keys.filter({ !known.contains($0) }).sorted().first {
            throw BrokerError.badRequest("\(op) on '\(m.name)': no column '\(BrokerError.excerpt(bad))'")
        }
        return m.table.columns.compactMap { c in values[c.name].map { (c.name, $0) } }
    }

    private func row(_ key: ObjectKey) throws -> (SQLTableModel, [Value]) {
        guard case .row(let m, let values) = try target(key), m.hasPrimaryKey else {
            throw BrokerError.noData("\(key) is not a row with a primary key")
        }
        return (m, values)
    }

    /// Server code: inserts a row into `table` (any column, hidden ones included; the mode
    /// does not apply to server code) inside `withSession`, broadcasts its creation (exported
    /// attributes only) and returns its key.
    @discardableResult
    func objNew(_ table: String, _ values: [String: Value]) async throws -> ObjectKey {
        guard let m = model(table) else { throw BrokerError.badRequest("objNew: table '\(table)' is not exported") }
        return try await insert(m, try columns(m, values, "objNew"), server: try server()).ref.key
    }

    /// Server code: sets columns of the row at `key` (hidden ones included, no old-value
    /// check) inside `withSession`, and broadcasts the changed exported attributes.
    func objUpdate(_ key: ObjectKey, _ values: [String: Value]) async throws {
        let (m, keyValues) = try row(key)
        let set = try columns(m, values, "objUpdate")
        if let k = set.first(where: { m.keyColumns.contains($0.0) }) {
            throw BrokerError.badRequest("objUpdate on '\(m.name)': key column '\(k.0)' cannot be changed")
        }
        let keyPairs = Array(zip(m.keyColumns, keyValues))
        let (before, after) = try await database.withSession(transactional: transactional(m)) { _ in
            let before = try await fetchRow(m, keyValues)
            if !set.isEmpty {
                _ = try await run(
                    statements.update(m.table.name, schema: schemaName(m), set: set, where: keyPairs), "objUpdate", m)
            }
            return (before, try await fetchRow(m, keyValues))
        }
        try await server().broadcastInvalidation(key: key, meta: tableKey(m.name), changes: Self.changes(before, after))
    }

    /// Server code: deletes the row at `key` inside `withSession` and broadcasts it.
    func objDelete(_ key: ObjectKey) async throws {
        let (m, keyValues) = try row(key)
        try await delete(m, keyValues, server: try server())
    }
}
