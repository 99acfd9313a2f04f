import OrderedCollections

/// Describes a class of brokered objects: which plain fields, references, back-references
/// and callable methods a client may see and use.
public struct BrokeredInfo: Sendable, Hashable {
    public var name: String
    /// Non-nil when clients may cache search results of this class (`_dab_cached`).
    public var cached: Value
    public var fields: OrderedDictionary<String, Field>
    public var refs: OrderedDictionary<String, RefField>
    public var backrefs: OrderedDictionary<String, BackRef>
    public var calls: OrderedDictionary<String, Callable>

    public init(
        name: String, cached: Value = .null, fields: [Field] = [], refs: [RefField] = [],
        backrefs: [BackRef] = [], calls: [Callable] = []
    ) {
        self.name = name
        self.cached = cached
        self.fields = OrderedDictionary(uniqueKeysWithValues: fields.map { ($0.name, $0) })
        var r = OrderedDictionary(uniqueKeysWithValues: refs.map { ($0.name, $0) })
        if r["_meta"] == nil { r["_meta"] = RefField("_meta") }
        self.refs = r
        self.backrefs = OrderedDictionary(uniqueKeysWithValues: backrefs.map { ($0.name, $0) })
        self.calls = OrderedDictionary(uniqueKeysWithValues: calls.map { ($0.name, $0) })
    }

    public mutating func add(_ field: Field) { fields[field.name] = field }
    public mutating func add(_ ref: RefField) { refs[ref.name] = ref }
    public mutating func add(_ backref: BackRef) { backrefs[backref.name] = backref }
    public mutating func add(_ call: Callable) { calls[call.name] = call }
}

/// A plain data attribute (`_F` on the wire).
///
/// A field of a SQL table also carries the facts of its column, so that clients and forms
/// can know them; they travel as extra keys of the `_F` descriptor (`type`, `nullable`,
/// `default`, `writable`, `enum_values`, `element_type`), which the original Python client
/// keeps as attributes of its `Field`. Each is `nil` when the server did not send it (a
/// static object's field, or an older server).
public struct Field: Sendable, Hashable {
    public var name: String
    /// The column's type as the database declares it (`integer`, `text[]`, `mood`).
    public var type: String?
    /// Whether the column accepts null.
    public var nullable: Bool?
    /// The column's default expression as the catalog prints it (`'new'::mood`, `now()`);
    /// `nil` when there is none or it is unknown.
    public var `default`: String?
    /// Whether `new` and `update` may give the column a value (`false` for generated and
    /// identity-always columns).
    public var writable: Bool?
    /// The allowed values of an enum column, in declared order.
    public var enumValues: [String]?
    /// The declared type of an array column's elements (`text` for `text[]`).
    public var elementType: String?

    /// A field with only its name.
    public init(_ name: String) { self.name = name }

    /// A field with the facts of its column.
    public init(
        _ name: String, type: String?, nullable: Bool?, default: String? = nil, writable: Bool?,
        enumValues: [String]? = nil, elementType: String? = nil
    ) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.default = `default`
        self.writable = writable
        self.enumValues = enumValues
        self.elementType = elementType
    }

    /// Whether any column fact is set (only then are they written on the wire).
    public var hasColumnFacts: Bool {
        type != nil || nullable != nil || self.default != nil || writable != nil || enumValues != nil
            || elementType != nil
    }
}

/// A many-to-one reference attribute, loaded on access (`_R` on the wire).
public struct RefField: Sendable, Hashable {
    public var name: String
    public init(_ name: String) { self.name = name }
}

/// A one-to-many back-reference (`_B` on the wire).
public struct BackRef: Sendable, Hashable {
    public var name: String
    public init(_ name: String) { self.name = name }
}

/// A method a client may call (`_C` on the wire).
public struct Callable: Sendable, Hashable {
    public var name: String
    /// The client may cache the result until the object or its table is invalidated.
    public var cached: Bool
    /// The call is made on the class (the info object), not on an instance.
    public var meta: Bool
    public init(_ name: String, cached: Bool = false, meta: Bool = false) {
        self.name = name
        self.cached = cached
        self.meta = meta
    }
}
