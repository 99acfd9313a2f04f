import OrderedCollections

/// A brokered object as it travels: its ref, its plain fields and its many-to-one refs
/// (always including `_meta`).
public struct ObjectValue: Sendable, Hashable {
    public var ref: Ref
    public var fields: OrderedDictionary<String, Value>
    /// Many-to-one references by name; `nil` for a reference that is not set (SQL NULL).
    public var refs: OrderedDictionary<String, Ref?>

    public init(
        ref: Ref, fields: OrderedDictionary<String, Value> = [:], refs: OrderedDictionary<String, Ref?> = [:]
    ) {
        self.ref = ref
        self.fields = fields
        self.refs = refs
    }

    /// The ref of this object's info object.
    public var meta: Ref? { refs["_meta"] ?? nil }
}

/// An info object as it travels: its ref, its description and the ref of its own meta.
public struct InfoValue: Sendable, Hashable {
    public var ref: Ref
    public var info: BrokeredInfo
    /// The info's own `_meta` (the meta singleton for metas).
    public var meta: Ref

    public init(ref: Ref, info: BrokeredInfo, meta: Ref) {
        self.ref = ref
        self.info = info
        self.meta = meta
    }
}
