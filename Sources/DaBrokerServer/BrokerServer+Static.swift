import DaBrokerCore
import OrderedCollections

extension BrokerServer {
    /// Serves `object` at `["static", parts…]` (the manual's `add_static(root, "root")`).
    /// Adding an object under a second key keeps the first; refs to it use the latest.
    public func addStatic(_ object: any BrokeredObject, _ parts: Value...) throws {
        try staticLoader.add(.object(object), parts)
    }

    /// Serves the class `brokerClass` as an info object at `["static", parts…]`
    /// (the manual's `add_static(rootInfo, "root", "meta")`).
    public func addStatic(_ brokerClass: BrokerClass, _ parts: Value...) throws {
        try staticLoader.add(.info(brokerClass), parts)
    }

    /// Stops serving whatever is at `["static", parts…]`.
    public func delStatic(_ parts: Value...) {
        staticLoader.remove(parts)
    }

    /// Stops serving `["static", parts…]` (the manual's `del_static(obj, "status", seq)`;
    /// the object is only named for readability).
    public func delStatic(_ object: any BrokeredObject, _ parts: Value...) {
        staticLoader.remove(parts)
    }

    /// Describes a class by name and registers it at `["static", key…]` (the manual's
    /// `export_class(Status, 'servers load health')`, with calls as closures).
    @discardableResult
    public func exportClass(
        _ name: String, key: [Value], fields: [String] = [], refs: [String] = [], backrefs: [String] = [],
        calls: [ExportedCall] = []
    ) throws -> BrokerClass {
        let cls = BrokerClass(name, fields: fields, refs: refs, backrefs: backrefs, calls: calls)
        try staticLoader.add(.info(cls), key)
        return cls
    }

    /// Describes the class of type `T` (its name) and registers it at `["static", key…]`.
    @discardableResult
    public func exportClass<T>(
        _ type: T.Type, key: [Value], fields: [String] = [], refs: [String] = [], backrefs: [String] = [],
        calls: [ExportedCall] = []
    ) throws -> BrokerClass {
        try exportClass(
            String(describing: type), key: key, fields: fields, refs: refs, backrefs: backrefs, calls: calls)
    }

    /// Serves one object built from values (the manual's `export_object(root, 'version_string
    /// version_tuple login', refs='status')`): a ``StaticObject`` at `["static", key…]` whose
    /// class (named `className`) is served at `["static", metaKey…]`, by default `key + ["meta"]`.
    @discardableResult
    public func exportObject(
        key: [Value], className: String, fields: OrderedDictionary<String, BrokerValue> = [:],
        refs: OrderedDictionary<String, BrokerValue> = [:], calls: [ExportedCall] = [], metaKey: [Value]? = nil
    ) throws -> StaticObject {
        let cls = BrokerClass(className, fields: Array(fields.keys), refs: Array(refs.keys), calls: calls)
        var values: [String: BrokerValue] = [:]
        for (k, v) in fields { values[k] = v }
        for (k, v) in refs { values[k] = v }
        let object = StaticObject(class: cls, values: values)
        try staticLoader.add(.info(cls), metaKey ?? key + ["meta"])
        try staticLoader.add(.object(object), key)
        return object
    }

    /// Announces a new object (the manual's `obj_new`): broadcasts `invalid_key` without
    /// `_key`, with each exported attribute as `[value]`, so clients drop cached searches of
    /// its class. Register the object with ``addStatic(_:_:)`` to serve it. Returns it.
    @discardableResult
    public func objNew<T: BrokeredObject>(_ object: T) async throws -> T {
        let cls = object.brokerClass
        let meta = try staticLoader.requireKey(of: cls)
        var changes = OrderedDictionary<String, [Value]>()
        for name in Self.exportedNames(cls) {
            changes[name] = [try await plain(object.brokerValue(name), whole: false)]
        }
        await broadcastInvalidation(key: nil, meta: meta, changes: changes)
        return object
    }

    /// Changes a static object in place and broadcasts `invalid_key` with `[old, new]` for
    /// each changed exported attribute (the manual's `obj_update(status, health="poor")`).
    public func objUpdate(_ object: any BrokeredObject, _ changes: [String: BrokerValue]) async throws {
        let key = try staticLoader.requireKey(of: object)
        let cls = object.brokerClass
        let meta = try staticLoader.requireKey(of: cls)
        let names = Self.exportedNames(cls).filter { changes[$0] != nil }
        var old: [String: Value] = [:]
        for name in names { old[name] = try await plain(object.brokerValue(name), whole: false) }
        try object.brokerSet(changes)
        var diff = OrderedDictionary<String, [Value]>()
        for name in names {
            let new = try await plain(object.brokerValue(name), whole: false)
            diff[name] = [old[name] ?? .null, new]
        }
        await broadcastInvalidation(key: key, meta: meta, changes: diff)
    }

    /// Announces that a static object is gone (the manual's `obj_delete`): broadcasts
    /// `invalid_key` with each exported attribute as `[value]`. Remove its key with
    /// ``delStatic(_:)`` as well.
    public func objDelete(_ object: any BrokeredObject) async throws {
        let key = try staticLoader.requireKey(of: object)
        let cls = object.brokerClass
        let meta = try staticLoader.requireKey(of: cls)
        var changes = OrderedDictionary<String, [Value]>()
        for name in Self.exportedNames(cls) {
            changes[name] = [try await plain(object.brokerValue(name), whole: false)]
        }
        await broadcastInvalidation(key: key, meta: meta, changes: changes)
    }

    static func exportedNames(_ cls: BrokerClass) -> [String] {
        Array(cls.info.fields.keys) + cls.info.refs.keys.filter { $0 != "_meta" }
    }

    /// Serves the usual root: a static object at `["static", "root"]` whose `data` field is a
    /// dict that ``SQLLoader/addModel(_:into:rw:hide:cached:)`` fills with table infos (the
    /// client's `root.data.<table>`), and makes it the server's ``root``.
    @discardableResult
    public func addDataRoot(className: String = "Root") throws -> StaticObject {
        let rootClass = try exportClass(className, key: ["root", "meta"], fields: ["data"])
        let root = StaticObject(class: rootClass, values: ["data": .dict([:])])
        try addStatic(root, "root")
        self.root = root
        return root
    }

    /// Broadcasts one `invalid_key` to every transport and returns its msgid (after it has
    /// been handed to them). `key` is `nil` for a created object. Values are sent without
    /// access codes; the caller leaves hidden attributes out of `changes`.
    @discardableResult
    public func broadcastInvalidation(
        key: ObjectKey?, meta: ObjectKey, changes: OrderedDictionary<String, [Value]>
    ) async -> Int64 {
        var data = OrderedDictionary<String, Value>()
        data["_m"] = .string(Method.invalidKey)
        if let key { data["_key"] = .ref(Ref(key: key)) }
        data["_meta"] = .ref(Ref(key: meta))
        for (name, values) in changes where !name.hasPrefix("_") {
            data[name] = .list(values.map(Self.unsigned))
        }
        let url = broadcastLink.withLock { $0 }?(key, meta, changes)
        return await broadcast(data, url: url)
    }

    /// A function naming the row of an `invalid_key` broadcast (its key — nil for a created
    /// row —, its table info's key and its changes) as a URL, or nil.
    public typealias BroadcastLink = @Sendable (ObjectKey?, ObjectKey, OrderedDictionary<String, [Value]>) -> String?

    /// Sets the function whose URL `invalid_key` broadcasts carry in their envelope as `url`
    /// (beside `msgid` and `sid`; the REST face's row URL). Clients that do not know it
    /// ignore it.
    public func linkBroadcasts(_ link: @escaping BroadcastLink) {
        broadcastLink.withLock { $0 = link }
    }

    /// Tells clients to drop every cached row of the table `meta` (and its cached searches):
    /// changes were missed (``ChangeFeed``). On the wire an `invalid_key` without `_key`,
    /// with `_resync: [true]`; a client of the original reads it as a created row (its
    /// searches of the table go), ours drops its cache.
    @discardableResult
    public func broadcastResync(meta: ObjectKey) async -> Int64 {
        var data = OrderedDictionary<String, Value>()
        data["_m"] = .string(Method.invalidKey)
        data["_meta"] = .ref(Ref(key: meta))
        data[InvalidKeyBroadcast.resyncKey] = .list([.bool(true)])
        return await broadcast(data)
    }

    /// Numbers, encodes (with this server's `sid`) and sends one broadcast's data.
    private func broadcast(_ data: OrderedDictionary<String, Value>, url: String? = nil) async -> Int64 {
        let sid = instanceID
        let decimals = configuration.decimals
        let extras: OrderedDictionary<String, Value> = url.map { ["url": .string($0)] } ?? [:]
        return await broadcaster.send(
            .dict(data),
            encode: { value, id in
                try WireCodec.encode(Message(data: value, msgid: id, extras: extras), sid: sid, decimals: decimals)
            },
            transports: transports)
    }
}
