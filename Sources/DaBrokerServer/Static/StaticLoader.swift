import DaBrokerCore
import OrderedCollections
import Synchronization

/// Serves objects and classes the application registers under keys it chooses:
/// `addStatic(root, "root")` serves `root` at `["static", "root"]`. It never invents keys
/// (keys must survive a server restart; choosing sequence numbers is the application's job).
public final class StaticLoader: BrokerLoader {
    public let id: String
    private let state = Mutex(State())

    enum Entry {
        case object(any BrokeredObject)
        case info(BrokerClass)

        var identity: ObjectIdentifier {
            switch self {
            case .object(let o): return ObjectIdentifier(o)
            case .info(let c): return ObjectIdentifier(c)
            }
        }
    }

    struct State {
        var byKey: [ObjectKey: Entry] = [:]
        /// The key each registered object was last added under.
        var keyOf: [ObjectIdentifier: ObjectKey] = [:]
    }

    init(id: String) { self.id = id }

    /// The key for `parts` under this loader: `["static", parts…]`.
    public func key(_ parts: [Value]) -> ObjectKey {
        ObjectKey([.string(id)] + parts)
    }

    func add(_ entry: Entry, _ parts: [Value]) throws {
        guard !parts.isEmpty else {
            throw BrokerError.badRequest("addStatic needs at least one key part")
        }
        for p in parts {
            switch p {
            case .string, .int, .bool: break
            default: throw BrokerError.badRequest("addStatic: key parts must be strings, integers or booleans")
            }
        }
        let k = key(parts)
        state.withLock { s in
            if let old = s.byKey[k], s.keyOf[old.identity] == k { s.keyOf[old.identity] = nil }
            s.byKey[k] = entry
            s.keyOf[entry.identity] = k
        }
    }

    func remove(_ parts: [Value]) {
        let k = key(parts)
        state.withLock { s in
            guard let old = s.byKey.removeValue(forKey: k) else { return }
            if s.keyOf[old.identity] == k {
                s.keyOf[old.identity] = s.byKey.first(where: { $0.value.identity == old.identity })?.key
            }
        }
    }

    /// The key `object` was registered under, if any.
    public func key(of object: any BrokeredObject) -> ObjectKey? {
        state.withLock { $0.keyOf[ObjectIdentifier(object)] }
    }

    /// The key `brokerClass` was registered under, if any.
    public func key(of brokerClass: BrokerClass) -> ObjectKey? {
        state.withLock { $0.keyOf[ObjectIdentifier(brokerClass)] }
    }

    func requireKey(of object: any BrokeredObject) throws -> ObjectKey {
        guard let k = key(of: object) else {
            throw ServerSetupError(
                "an object of class '\(object.brokerClass.info.name)' is served but has no key: register it with addStatic"
            )
        }
        return k
    }

    func requireKey(of cls: BrokerClass) throws -> ObjectKey {
        guard let k = key(of: cls) else {
            throw ServerSetupError("class '\(cls.info.name)' is served but has no key: register it with addStatic")
        }
        return k
    }

    private func entry(_ key: ObjectKey) throws -> Entry {
        guard let e = state.withLock({ $0.byKey[key] }) else { throw BrokerError.noData("no object \(key)") }
        return e
    }

    /// `object` whole, without codes: its exported fields (objects in them as refs), its
    /// refs and its `_meta`.
    func materialize(_ object: any BrokeredObject, server: BrokerServer) throws -> Value {
        let key = try requireKey(of: object)
        let cls = object.brokerClass
        var fields = OrderedDictionary<String, Value>()
        for name in cls.info.fields.keys {
            fields[name] = try shallow(object.brokerValue(name))
        }
        var refs = OrderedDictionary<String, Ref?>()
        for name in cls.info.refs.keys {
            if name == "_meta" {
                refs[name] = Ref(key: try requireKey(of: cls))
                continue
            }
            switch try shallow(object.brokerValue(name)) {
            case .ref(let r): refs[name] = r
            case .null: refs[name] = .some(nil)
            default:
                throw ServerSetupError("ref '\(name)' of class '\(cls.info.name)' does not hold an object")
            }
        }
        return .object(ObjectValue(ref: Ref(key: key), fields: fields, refs: refs))
    }

    /// `cls` as an info object, without codes.
    func materialize(_ cls: BrokerClass) throws -> Value {
        let key = try requireKey(of: cls)
        let meta = try cls.meta.map { try requireKey(of: $0) } ?? .metaRoot
        return .info(InfoValue(ref: Ref(key: key), info: cls.info, meta: Ref(key: meta)))
    }

    /// A value with every object in it as a ref (no loader round trips).
    private func shallow(_ value: BrokerValue) throws -> Value {
        switch value {
        case .value(let v): return v
        case .object(let o): return .ref(Ref(key: try requireKey(of: o)))
        case .key(let k): return .ref(Ref(key: k))
        case .list(let l): return .list(try l.map(shallow))
        case .dict(let d):
            var out = OrderedDictionary<String, Value>()
            for (k, v) in d { out[k] = try shallow(v) }
            return .dict(out)
        }
    }

    public func load(_ key: ObjectKey, server: BrokerServer) async throws -> Value {
        switch try entry(key) {
        case .object(let o): return try materialize(o, server: server)
        case .info(let c): return try materialize(c)
        }
    }

    public func call(_ method: String, on key: ObjectKey, arguments: CallArguments, server: BrokerServer)
        async throws -> CallOutcome
    {
        let target: CallTarget
        let cls: BrokerClass?
        switch try entry(key) {
        case .object(let o):
            target = .object(o)
            cls = o.brokerClass
        case .info(let c):
            target = .info(c)
            cls = c.meta
        }
        guard let cls, cls.info.calls[method] != nil, let call = cls.calls[method] else {
            throw BrokerError.unknownCommand("unknown method '\(BrokerError.excerpt(method))' on \(key)")
        }
        return CallOutcome(try await call.body(target, arguments), include: call.include)
    }

    public func update(_ key: ObjectKey, changes: OrderedDictionary<String, [Value]>, server: BrokerServer)
        async throws -> Value
    {
        _ = try entry(key)
        throw BrokerError.readOnly("\(key) is a static object; clients cannot update it")
    }

    private func backref(_ key: ObjectKey, _ name: String) throws -> [BrokerValue] {
        guard case .object(let o) = try entry(key), o.brokerClass.info.backrefs[name] != nil else {
            throw BrokerError.noData("\(key) has no backref '\(BrokerError.excerpt(name))'")
        }
        switch o.brokerValue(name) {
        case .list(let l): return l
        case .value(.null): return []
        default: throw ServerSetupError("backref '\(name)' of \(key) does not hold a list")
        }
    }

    public func backrefCount(_ key: ObjectKey, name: String, server: BrokerServer) async throws -> Int {
        try backref(key, name).count
    }

    public func backrefObject(_ key: ObjectKey, name: String, index: Int, server: BrokerServer) async throws
        -> Value
    {
        let items = try backref(key, name)
        guard index < items.count else {
            throw BrokerError.noData("backref '\(BrokerError.excerpt(name))' of \(key) has no element \(index)")
        }
        return try await server.plain(items[index], whole: true)
    }
}
