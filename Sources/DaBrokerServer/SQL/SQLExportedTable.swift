import DaBrokerSQL

/// What a client may see of one exported table: its fields (never a hidden column), key,
/// mode, refs and backrefs. For faces that describe the tables themselves (the REST face's
/// listing and OpenAPI document); calls still go through ``BrokerServer/handle(_:)``.
public struct SQLExportedTable: Sendable, Hashable {
    /// A many-to-one ref: the fk columns (ordered like the target's key columns).
    public struct RefLink: Sendable, Hashable {
        public var name: String
        public var columns: [String]
        public var target: String
    }

    /// A one-to-many backref: the referencing table and its fk columns (ordered like this table's key).
    public struct BackrefLink: Sendable, Hashable {
        public var name: String
        public var source: String
        public var columns: [String]
    }

    /// The table's key in the export (`album`).
    public var name: String
    public var mode: AccessMode
    /// The exported columns in table order, with their reflected facts.
    public var fields: [ColumnDescription]
    /// The columns whose values make up a row's key (every exported column without a primary key).
    public var keyColumns: [String]
    public var hasPrimaryKey: Bool
    public var refs: [RefLink]
    public var backrefs: [BackrefLink]
    /// How many of its columns are hidden (never their names).
    public var hiddenCount = 0
    /// Reflection's notices about this table (none about a hidden column).
    public var notices: [String] = []
}

extension SQLLoader {
    /// The readable exported tables, sorted by name.
    public var exportedTables: [SQLExportedTable] {
        let (models, specs, notices) = catalog.state.withLock { ($0.models, $0.specs, $0.reflected.notices) }
        return models.values.filter { $0.mode.canRead }.sorted { $0.name < $1.name }.map {
            Self.exported($0, hide: specs[$0.name]?.hide ?? [], notices: notices)
        }
    }

    /// The readable exported table `name`, if there is one: what ``exportedTables`` holds for
    /// it, without describing every other table (the REST face asks once per request).
    public func exportedTable(named name: String) -> SQLExportedTable? {
        let found = catalog.state.withLock { s in
            s.models[name].map { ($0, s.specs[name]?.hide ?? [], s.reflected.notices) }
        }
        guard let (m, hide, notices) = found, m.mode.canRead else { return nil }
        return Self.exported(m, hide: hide, notices: notices)
    }

    private static func exported(
        _ m: SQLTableModel, hide: Set<String>, notices: [ReflectionNotice]
    ) -> SQLExportedTable {
        let refs = m.refs.map { SQLExportedTable.RefLink(name: $0.name, columns: $0.columns, target: $0.target) }
        let backrefs = m.backrefs.map {
            SQLExportedTable.BackrefLink(name: $0.name, source: $0.source, columns: $0.columns)
        }
        var table = SQLExportedTable(
            name: m.name, mode: m.mode,
            fields: m.fields.compactMap { f in m.table.columns.first { $0.name == f } },
            keyColumns: m.keyColumns, hasPrimaryKey: m.hasPrimaryKey, refs: refs, backrefs: backrefs)
        table.hiddenCount = hide.count
        table.notices = notices.filter { $0.table == m.name && !hide.contains($0.column ?? "") }.map(\.message)
        return table
    }
}
