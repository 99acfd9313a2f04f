/// The result of reflecting a database: every included table and view, the schema's
/// fingerprint and the notices reflection raised.
///
/// Tables are keyed by ``key(schema:name:)``: the bare name for tables of the connection's
/// default schema (PostgreSQL `current_schema()`, MariaDB `DATABASE()`, SQLite `main`),
/// `schema.name` for the others. Keys are therefore stable whatever other schemas are included.
public struct DatabaseSchema: Sendable, Hashable, Codable {
    /// Which database family was reflected.
    public var databaseKind: String
    /// The schema whose tables are keyed by bare name.
    public var defaultSchema: String
    /// The tables and views by key.
    public var tables: [String: TableDescription]
    /// An opaque value that changes when DDL changes the reflected catalog; compare it with
    /// ``SchemaReflector/fingerprint(of:options:)`` to decide whether to reload.
    public var fingerprint: String
    /// What reflection noticed and worked around: views, tables without primary key,
    /// unmapped column types, unresolvable foreign keys.
    public var notices: [ReflectionNotice]

    public init(
        databaseKind: DatabaseKind, defaultSchema: String, tables: [String: TableDescription] = [:],
        fingerprint: String = "", notices: [ReflectionNotice] = []
    ) {
        self.databaseKind = databaseKind.rawValue
        self.defaultSchema = defaultSchema
        self.tables = tables
        self.fingerprint = fingerprint
        self.notices = notices
    }

    /// The key under which a table of `schema` named `name` is stored in ``tables``.
    public func key(schema: String, name: String) -> String {
        schema == defaultSchema ? name : schema + "." + name
    }

    /// The key of a table description.
    public func key(of table: TableDescription) -> String {
        key(schema: table.schema, name: table.name)
    }

    /// The table of `schema` named `name`, if it was reflected.
    public func table(schema: String, name: String) -> TableDescription? {
        tables[key(schema: schema, name: name)]
    }

    /// The table a foreign key references, if it was reflected.
    public func referencedTable(of foreignKey: ForeignKeyDescription) -> TableDescription? {
        table(schema: foreignKey.referencedSchema, name: foreignKey.referencedTable)
    }

    /// The table keys in a stable order (sorted by key).
    public var sortedKeys: [String] { tables.keys.sorted() }
}
