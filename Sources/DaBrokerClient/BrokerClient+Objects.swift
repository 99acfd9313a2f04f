import DaBrokerCore

extension BrokerClient {
    /// The server's root object (server-level `root`), from the cache while it is valid.
    public nonisolated(nonsending) var root: ClientObject {
        get async throws {
            if let ref = rootRef.withLock({ $0 }), let cached = cache.object(for: ref.key) { return cached }
            let (data, epoch) = try await send(ClientWire.request(Method.root))
            guard let root = intern(data, since: epoch) else {
                throw BrokerError.internal("the server's root reply is not an object: \(data)")
            }
            rootRef.withLock { $0 = root.ref }
            return root
        }
    }

    /// The cached object for `key`, if any; synchronous, no network, no actor hop. Counts as
    /// a cache hit or miss.
    public func cachedObject(for key: ObjectKey) -> ClientObject? {
        cache.object(for: key)
    }

    /// The object `ref` points to: the cached one if valid, else fetched with the
    /// server-level `get` (the ref must carry the access code the server gave).
    public nonisolated(nonsending) func get(_ ref: Ref) async throws -> ClientObject {
        if let cached = cache.object(for: ref.key) { return cached }
        return try await fetch(ref)
    }

    /// The object's current state from the server (server-level `get`), bypassing the cache;
    /// the cache then holds the fresh copy.
    public nonisolated(nonsending) func refresh(_ object: ClientObject) async throws -> ClientObject {
        try await fetch(object.ref)
    }

    /// Turns a value from a reply into a client object: an object or info sent whole becomes
    /// a ``ClientObject`` (the cached instance when the cache holds the same state), a ref is
    /// resolved through the cache. `nil` for `null`; throws `BadRequest` for any other value.
    public nonisolated(nonsending) func object(from value: Value) async throws -> ClientObject? {
        try await object(from: value, since: nil)
    }

    /// As `object(from:)`; `epoch` is the cache epoch when the request that brought `value`
    /// was sent, or `nil` when unknown (then the object is used but not cached).
    nonisolated(nonsending) func object(from value: Value, since epoch: UInt64?) async throws -> ClientObject? {
        switch value {
        case .null:
            return nil
        case .ref(let ref):
            return try await get(ref)
        case .object, .info:
            guard let epoch else {
                guard let object = makeObject(value, epoch: 0) else { return nil }
                if let cached = cache.peek(object.key), cached.hasSameContent(as: object) { return cached }
                return object
            }
            return intern(value, since: epoch)
        default:
            throw BrokerError.badRequest("not an object or ref: \(value)")
        }
    }

    /// A handle on the model (table or searchable class) called `name`, found in the root
    /// object's `data` dictionary (or another dictionary field of the root), as the
    /// server's SQL loader publishes them.
    public nonisolated(nonsending) func model(_ name: String) async throws -> ModelHandle {
        let root = try await root
        var found: Value?
        if case .dict(let data)? = root.fields["data"] { found = data[name] }
        if found == nil {
            for case .dict(let dict) in root.fields.values {
                if let value = dict[name] {
                    found = value
                    break
                }
            }
        }
        guard let found, let table = try await object(from: found, since: root.epoch) else {
            var known: [String] = []
            for case .dict(let dict) in root.fields.values { known += dict.keys }
            throw BrokerError.noData(
                "no model '\(name)' in the root object; known: \(known.sorted().joined(separator: ", "))")
        }
        return ModelHandle(table: table)
    }

    /// A handle on the model described by the info object `table`.
    public func model(_ table: ClientObject) -> ModelHandle { ModelHandle(table: table) }

    // MARK: - Internals

    nonisolated(nonsending) func fetch(_ ref: Ref) async throws -> ClientObject {
        let (data, epoch) = try await send(ClientWire.request(Method.get, arguments: [.ref(ref)]))
        guard let object = intern(data, since: epoch) else {
            throw BrokerError.noData("the server returned no object for \(ref.key)")
        }
        return object
    }

    /// Registers an object or info value from a reply to a request sent at `epoch`.
    func intern(_ value: Value, since epoch: UInt64) -> ClientObject? {
        guard let object = makeObject(value, epoch: epoch) else { return nil }
        return cache.intern(object, since: epoch)
    }

    func makeObject(_ value: Value, epoch: UInt64) -> ClientObject? {
        switch value {
        case .object(let object): return ClientObject(object, client: self, epoch: epoch)
        case .info(let info): return ClientObject(info, client: self, epoch: epoch)
        default: return nil
        }
    }
}

extension Ref {
    /// The object this ref points to, through `client`'s cache; after an invalidation this
    /// fetches the new state (the manual's `root = root._key()`).
    public nonisolated(nonsending) func resolve(with client: BrokerClient) async throws -> ClientObject {
        try await client.get(self)
    }
}
