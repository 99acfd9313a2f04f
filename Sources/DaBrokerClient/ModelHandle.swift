import DaBrokerCore
import OrderedCollections

/// The client's handle on one model: a SQL table, or a class the server made searchable.
///
/// ```swift
/// let people = try await client.model("Person")
/// let jane = try await people.get(["id": 1])                // exactly one, else NoData/ManyData
/// let smiths = try await people.find(["last_name": "Smith"], limit: 50)
/// let n = try await people.count()
/// let joe = try await people.new(["first_name": "Joe"])     // read-write tables only
/// let joe2 = try await people.update(joe, ["first_name": "Joseph"])
/// try await people.delete(joe2)
/// ```
///
/// `get`, `find` and `count` are `_dab_search` / `_dab_count` on the table's info object;
/// when the server marks them `cached`, repeated calls with the same filters are answered
/// from the cache until any object of the table changes. Filters are equality tests on
/// exported columns; the server refuses hidden or unknown columns with `BadRequest`.
public struct ModelHandle: Sendable {
    /// The info object describing the model (the target of table calls).
    public let table: ClientObject

    init(table: ClientObject) { self.table = table }

    /// The model's name, as its info object gives it.
    public var name: String {
        if let info = table.info { return info.name }
        if case .string(let s)? = table.fields["name"] { return s }
        return "\(table.key)"
    }

    /// The model's fields as its info object describes them. A SQL table's fields carry
    /// their column's facts: `type`, `nullable`, `default`, `writable`, `enumValues` and
    /// `elementType` (for example `people.fields["mood"]?.enumValues` for a form's choices).
    /// Empty when the info object was not sent whole.
    public var fields: OrderedDictionary<String, Field> { table.info?.fields ?? [:] }

    /// The one object matching `filters` (`_dab_search` with `_limit: 2`); throws `NoData`
    /// when none matches and `ManyData` when several do.
    public nonisolated(nonsending) func get(_ filters: [String: Value]) async throws -> ClientObject {
        let found = try await search(filters, limit: 2)
        guard let first = found.first else {
            throw BrokerError.noData("no \(name) with \(Self.describe(filters))")
        }
        guard found.count == 1 else {
            throw BrokerError.manyData("more than one \(name) with \(Self.describe(filters))")
        }
        return first
    }

    /// The objects matching every filter (equality), at most `limit` of them (the server
    /// caps it further by its configured maximum).
    public nonisolated(nonsending) func find(_ filters: [String: Value] = [:], limit: Int? = nil) async throws
        -> [ClientObject]
    {
        try await search(filters, limit: limit)
    }

    /// How many objects match every filter (`_dab_count`).
    public nonisolated(nonsending) func count(_ filters: [String: Value] = [:]) async throws -> Int {
        let named = try Self.checked(filters)
        let client = try table.requireClient()
        let value: Value
        if case .value(let cached)? = client.cachedCall(Method.count, on: table, arguments: [], named: named) {
            value = cached
        } else {
            value = try await client.callThroughCache(
                Method.count, on: table, arguments: [], named: named, interning: false
            ).value
        }
        guard case .int(let n) = value else {
            throw BrokerError.internal("_dab_count on \(name) returned \(value), not an int")
        }
        return Int(n)
    }

    /// Creates an object with the given field values (`new`; read-write models only) and
    /// returns it as the server stored it.
    public nonisolated(nonsending) func new(_ fields: [String: Value]) async throws -> ClientObject {
        let client = try table.requireClient()
        let (value, objects) = try await client.callThroughCache(
            Method.new, on: table, arguments: [], named: fields, interning: true)
        guard let object = objects.first else {
            throw BrokerError.internal("new on \(name) returned \(value), not an object")
        }
        return object
    }

    /// Changes fields of `object`, sending the old values from `object` so that a concurrent
    /// change is refused with `StaleData`; returns the new state. See
    /// ``BrokerClient/update(_:_:)``.
    @discardableResult
    public nonisolated(nonsending) func update(_ object: ClientObject, _ changes: [String: Value]) async throws
        -> ClientObject
    {
        try await table.requireClient().update(object, changes)
    }

    /// Deletes `object` (read-write models only).
    public nonisolated(nonsending) func delete(_ object: ClientObject) async throws {
        try await table.requireClient().delete(object)
    }

    private nonisolated(nonsending) func search(
        _ filters: [String: Value], limit: Int?
    ) async throws -> [ClientObject] {
        let client = try table.requireClient()
        // The cache key is built once, in a canonical order, without intermediate copies:
        // this is the hot path of a cached `get`.
        var canonical = OrderedDictionary<String, Value>(minimumCapacity: filters.count + 1)
        if filters.count <= 1 {
            for (name, value) in filters { canonical[name] = value }
        } else {
            for name in filters.keys.sorted() { canonical[name] = filters[name] }
        }
        for name in canonical.keys where name.hasPrefix("_") { throw Self.reserved(name) }
        if let limit { canonical["_limit"] = .int(Int64(limit)) }
        let key = ObjectCache.CallKey(target: table.key, method: Method.search, arguments: .dict(canonical))
        if case .objects(let objects)? = client.cachedCall(key) { return objects }
        var named = filters
        if let limit { named["_limit"] = .int(Int64(limit)) }
        return try await client.callThroughCache(
            Method.search, on: table, arguments: [], named: named, interning: true, key: key
        ).objects
    }

    private static func checked(_ filters: [String: Value]) throws -> [String: Value] {
        for name in filters.keys where name.hasPrefix("_") { throw reserved(name) }
        return filters
    }

    private static func reserved(_ name: String) -> BrokerError {
        BrokerError.badRequest("filter '\(name)' is not a column name (names starting with _ are reserved)")
    }

    private static func describe(_ filters: [String: Value]) -> String {
        filters.isEmpty
            ? "no filter"
            : filters.keys.sorted().map { "\($0) = \((filters[$0] ?? .null).written)" }.joined(separator: ", ")
    }
}
