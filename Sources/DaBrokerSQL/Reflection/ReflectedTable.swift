import DaBrokerCore

/// One table as the broker exports it: its fields (mapped columns), refs and backrefs, named
/// by ``RelationshipNamer``.
public struct ReflectedTable: Sendable, Hashable, Codable {
    /// The table's key in ``DatabaseSchema/tables``.
    public var key: String
    public var table: TableDescription
    /// The columns with a `Value` mapping, in table order; unmapped columns are left out.
    public var fields: [ColumnDescription]
    /// Many-to-one references, one per foreign key whose target was reflected.
    public var refs: [NamedRef]
    /// One-to-many back-references, one per foreign key pointing at this table.
    public var backrefs: [NamedBackRef]

    public init(
        key: String, table: TableDescription, fields: [ColumnDescription], refs: [NamedRef] = [],
        backrefs: [NamedBackRef] = []
    ) {
        self.key = key
        self.table = table
        self.fields = fields
        self.refs = refs
        self.backrefs = backrefs
    }

    /// The ref named `name`, if any.
    public func ref(_ name: String) -> NamedRef? { refs.first { $0.name == name } }
    /// The backref named `name`, if any.
    public func backref(_ name: String) -> NamedBackRef? { backrefs.first { $0.name == name } }

    /// The info object describing this table's objects (fields, refs, backrefs; no calls).
    public var brokeredInfo: BrokeredInfo {
        BrokeredInfo(
            name: key, fields: fields.map { Field($0.name) }, refs: refs.map { RefField($0.name) },
            backrefs: backrefs.map { BackRef($0.name) })
    }
}

/// A named many-to-one reference: the foreign key and the key of the table it points to.
public struct NamedRef: Sendable, Hashable, Codable {
    public var name: String
    public var foreignKey: ForeignKeyDescription
    /// The referenced table's key.
    public var target: String

    public init(name: String, foreignKey: ForeignKeyDescription, target: String) {
        self.name = name
        self.foreignKey = foreignKey
        self.target = target
    }
}

/// A named one-to-many back-reference: the referencing table, its foreign key and the name
/// of the matching ref on that table.
public struct NamedBackRef: Sendable, Hashable, Codable {
    public var name: String
    /// The referencing table's key.
    public var source: String
    public var foreignKey: ForeignKeyDescription
    /// The name of the ref on `source` that this backref inverts.
    public var refName: String

    public init(name: String, source: String, foreignKey: ForeignKeyDescription, refName: String) {
        self.name = name
        self.source = source
        self.foreignKey = foreignKey
        self.refName = refName
    }
}
