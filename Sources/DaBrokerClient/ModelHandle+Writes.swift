import DaBrokerCore

extension ModelHandle {
    /// Creates every object of `rows` in one call and one transaction (`new` with `_rows`):
    /// all or none; an error names the index of the failing row. Returns them in order.
    public nonisolated(nonsending) func new(rows: [[String: Value]]) async throws -> [ClientObject] {
        let client = try table.requireClient()
        let (value, objects) = try await client.callThroughCache(
            Method.new, on: table, arguments: [],
            named: ["_rows": .list(rows.map { .dict(.init(uniqueKeysWithValues: $0.sorted { $0.key < $1.key })) })],
            interning: true)
        guard case .list(let items) = value, items.count == objects.count else {
            throw BrokerError.internal("new with _rows on \(name) returned no list of objects")
        }
        return objects
    }

    /// Creates the object with these field values, or updates the one with the same key
    /// (`on`: the columns of the primary key, the default, or of a unique key). With `old`,
    /// an existing object is only updated while those fields hold those values (else
    /// `StaleData`, nothing written). Returns the object and whether it was created.
    public nonisolated(nonsending) func upsert(
        _ fields: [String: Value], on key: [String]? = nil, old: [String: Value]? = nil
    ) async throws -> (object: ClientObject, created: Bool) {
        var named = fields
        if let key { named["_on"] = .list(key.map { .string($0) }) }
        if let old { named["_old"] = .dict(.init(uniqueKeysWithValues: old.sorted { $0.key < $1.key })) }
        let client = try table.requireClient()
        let (value, objects) = try await client.callThroughCache(
            Method.upsert, on: table, arguments: [], named: named, interning: true)
        guard case .dict(let d) = value, let object = objects.first else {
            throw BrokerError.internal("upsert on \(name) returned no object")
        }
        return (object, d["created"] == .bool(true))
    }
}
