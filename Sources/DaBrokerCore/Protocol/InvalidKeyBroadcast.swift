import OrderedCollections

/// The `invalid_key` broadcast: an object was created, changed or deleted.
///
/// On the wire its data is a dict with `_m: "invalid_key"`, `_key` (the object's ref,
/// absent for a creation), `_meta` (the ref of its info) and, for each changed non-hidden
/// attribute, `[old, new]` (`[value]` for a creation or deletion). Unlike the original
/// DaBroker, refs here never carry access codes: `value` strips them.
public struct InvalidKeyBroadcast: Sendable, Hashable {
    /// What happened to one attribute.
    public enum Change: Sendable, Hashable {
        /// The value of a created or deleted object (`[value]`).
        case value(Value)
        /// An update (`[old, new]`).
        case update(old: Value, new: Value)
    }

    /// The method name the broadcast carries in `_m`.
    public static let method = Method.invalidKey
    /// The key (ext) that marks a resync: changes to the table were missed, so clients drop
    /// every cached row of it. Its value is `[true]`, which a client of the original reads as
    /// a created object's attribute (it drops the table's cached searches).
    public static let resyncKey = "_resync"

    /// The changed object; `nil` when it was created.
    public var key: Ref?
    /// The object's info.
    public var meta: Ref
    /// Changed attributes, in order.
    public var changes: OrderedDictionary<String, Change>
    /// Whether clients must drop every cached row of the table (`meta`): its changes were
    /// missed (``resyncKey``).
    public var resync = false

    public init(key: Ref?, meta: Ref, changes: OrderedDictionary<String, Change> = [:]) {
        self.key = key
        self.meta = meta
        self.changes = changes
    }

    /// An object was created with these attribute values.
    public static func created(meta: Ref, values: OrderedDictionary<String, Value>) -> InvalidKeyBroadcast {
        InvalidKeyBroadcast(key: nil, meta: meta, changes: values.mapValues { .value($0) })
    }

    /// An object was deleted; `values` are its last attribute values.
    public static func deleted(key: Ref, meta: Ref, values: OrderedDictionary<String, Value>) -> InvalidKeyBroadcast {
        InvalidKeyBroadcast(key: key, meta: meta, changes: values.mapValues { .value($0) })
    }

    /// An object was updated: attribute → (old, new).
    public static func updated(
        key: Ref, meta: Ref, changes: OrderedDictionary<String, (old: Value, new: Value)>
    ) -> InvalidKeyBroadcast {
        InvalidKeyBroadcast(key: key, meta: meta, changes: changes.mapValues { .update(old: $0.old, new: $0.new) })
    }

    /// Reads a broadcast's data; throws `BadRequest` if it is not a well-formed
    /// `invalid_key`.
    public init(from data: Value) throws(BrokerError) {
        guard case .dict(let dict) = data, case .string(Self.method)? = dict["_m"] else {
            throw BrokerError.badRequest("not an invalid_key broadcast (its data needs _m: \"invalid_key\")")
        }
        guard case .ref(let meta)? = dict["_meta"] else {
            throw BrokerError.badRequest("invalid_key broadcast without its _meta Ref")
        }
        self.init(key: nil, meta: meta)
        switch dict["_key"] {
        case nil, .null?: key = nil
        case .ref(let r)?: key = r
        default: throw BrokerError.badRequest("invalid_key broadcast _key must be a Ref")
        }
        resync = dict[Self.resyncKey] != nil
        for (name, value) in dict where name != "_m" && name != "_meta" && name != "_key" && name != Self.resyncKey {
            switch value {
            case .list(let l) where l.count == 1: changes[name] = .value(l[0])
            case .list(let l) where l.count == 2: changes[name] = .update(old: l[0], new: l[1])
            default:
                throw BrokerError.badRequest("invalid_key attribute '\(name)' must be a LIST of one or two values")
            }
        }
    }

    /// The broadcast's data, refs without access codes.
    public var value: Value {
        var dict = OrderedDictionary<String, Value>(minimumCapacity: changes.count + 3)
        if let key { dict["_key"] = .ref(key.withoutCode) }
        dict["_meta"] = .ref(meta.withoutCode)
        for (name, change) in changes where dict[name] == nil && name != "_m" {
            switch change {
            case .value(let v): dict[name] = .list([v])
            case .update(let old, let new): dict[name] = .list([old, new])
            }
        }
        if resync { dict[Self.resyncKey] = .list([.bool(true)]) }
        dict["_m"] = .string(Self.method)
        return .dict(dict)
    }

    /// The broadcast message with id `msgid`; like the original server's, its envelope
    /// carries `"include": null`.
    public func message(msgid: Int64) -> Message {
        Message(data: value, msgid: msgid, extras: ["include": .null])
    }
}
