import DaBrokerCore
import OrderedCollections

extension BrokerClient {
    /// Calls a server-level method (`echo`, `ping`, or one the application registered) with
    /// positional arguments: `try await client.call("hello", "you")` gives `"hello you"`.
    @discardableResult
    public nonisolated(nonsending) func call(_ method: String, _ arguments: Value...) async throws -> Value {
        try await call(method, arguments: arguments)
    }

    /// Calls a server-level method with positional and named arguments. Objects in the
    /// result are registered in the cache; ``object(from:)`` turns one into a ``ClientObject``.
    @discardableResult
    public nonisolated(nonsending) func call(
        _ method: String, arguments: [Value], named: [String: Value] = [:]
    ) async throws -> Value {
        let (data, epoch) = try await send(ClientWire.request(method, arguments: arguments, named: named))
        register(data, since: epoch)
        return data
    }

    /// Calls `method` on `target` (an object, or an info object for table calls such as
    /// `_dab_search`). The target's info (its `_meta`) says whether the call is `cached`
    /// (its result is then kept until `target` or its table is invalidated) and whether it is
    /// class-level (`_mt`).
    nonisolated(nonsending) func call(
        _ method: String, on target: ClientObject, arguments: [Value], named: [String: Value]
    ) async throws -> Value {
        if case .value(let value)? = cachedCall(method, on: target, arguments: arguments, named: named) {
            return value
        }
        return try await callThroughCache(
            method, on: target, arguments: arguments, named: named, interning: false
        ).value
    }

    /// The result of a `cached` call from the cache, if there.
    func cachedCall(
        _ method: String, on target: ClientObject, arguments: [Value], named: [String: Value]
    ) -> ObjectCache.CachedResult? {
        cache.callResult(for: Self.callKey(method, on: target, arguments: arguments, named: named))
    }

    /// The result of the cached call with this key, if there.
    func cachedCall(_ key: ObjectCache.CallKey) -> ObjectCache.CachedResult? {
        cache.callResult(for: key)
    }

    /// Makes the call and, when the target's info marks it `cached`, stores the result
    /// (`interning`: as the list of objects it holds).
    nonisolated(nonsending) func callThroughCache(
        _ method: String, on target: ClientObject, arguments: [Value], named: [String: Value], interning: Bool,
        key: ObjectCache.CallKey? = nil
    ) async throws -> (value: Value, objects: [ClientObject]) {
        let callable = try? await target.meta().info?.calls[method]
        let request = ClientWire.request(
            method, target: target.ref, arguments: arguments, named: named, classLevel: callable?.meta ?? false)
        let (data, epoch) = try await send(request)
        let objects = register(data, since: epoch)
        if callable?.cached == true {
            let key = key ?? Self.callKey(method, on: target, arguments: arguments, named: named)
            cache.storeCallResult(interning ? .objects(objects) : .value(data), for: key, since: epoch)
        }
        return (data, objects)
    }

    /// Updates `object` on the server (server-level `update`): each change travels as
    /// `[old, new]`, the old value taken from `object`, so the server refuses with
    /// `StaleData` (naming the field, changing nothing) if someone changed it meanwhile.
    /// Returns the object's new state.
    @discardableResult
    public nonisolated(nonsending) func update(_ object: ClientObject, _ changes: [String: Value]) async throws
        -> ClientObject
    {
        var pairs: OrderedDictionary<String, Value> = [:]
        for name in changes.keys.sorted() {
            guard let new = changes[name] else { continue }
            if let old = object.fields[name] {
                pairs[name] = .list([old, new])
            } else if let old = object.refs[name] {
                pairs[name] = .list([old.map(Value.ref) ?? .null, new])
            } else {
                throw BrokerError.badRequest("object \(object.key) has no field or ref '\(name)' to update")
            }
        }
        guard !pairs.isEmpty else { return object }
        let (data, epoch) = try await send(
            ClientWire.request(Method.update, arguments: [.ref(object.ref)], named: ["k": .dict(pairs)]))
        // The server's broadcast for this change has been applied (read-your-writes); the
        // snapshot we were given is out of date in any case.
        object.markObsolete()
        if let updated = intern(data, since: epoch) { return updated }
        return try await fetch(object.ref)
    }

    /// Deletes `object` on the server; the server's broadcast, applied before this returns,
    /// evicts it from the cache.
    ///
    /// Sent in the table-level form (`delete` on the row's table, `_mt: true`, the row as its
    /// argument), which both our server and the original Python DaBroker accept; the original
    /// refuses the row-level form.
    public nonisolated(nonsending) func delete(_ object: ClientObject) async throws {
        guard let table = object.metaRef else {
            throw BrokerError.badRequest("object \(object.key) has no _meta (its table) to delete it through")
        }
        _ = try await send(
            ClientWire.request(Method.delete, target: table, arguments: [.ref(object.ref)], classLevel: true))
        object.markObsolete()
    }

    /// Registers the objects of a reply (top-level, in a top-level list, or in a page's `rows`
    /// or an upsert's `object`) in the cache and returns them.
    @discardableResult
    func register(_ data: Value, since epoch: UInt64) -> [ClientObject] {
        switch data {
        case .object, .info:
            return intern(data, since: epoch).map { [$0] } ?? []
        case .list(let items):
            return items.compactMap { intern($0, since: epoch) }
        case .dict(let d):
            if case .list(let rows)? = d["rows"] { return rows.compactMap { intern($0, since: epoch) } }
            if let object = d["object"], let o = intern(object, since: epoch) { return [o] }
            return []
        default:
            return []
        }
    }

    static func callKey(
        _ method: String, on target: ClientObject, arguments: [Value], named: [String: Value]
    ) -> ObjectCache.CallKey {
        var sorted = OrderedDictionary<String, Value>(minimumCapacity: named.count)
        if named.count == 1, let (name, value) = named.first {
            sorted[name] = value
        } else {
            for name in named.keys.sorted() { sorted[name] = named[name] }
        }
        let canonical: Value = arguments.isEmpty ? .dict(sorted) : .list([.list(arguments), .dict(sorted)])
        return ObjectCache.CallKey(target: target.key, method: method, arguments: canonical)
    }
}
