/// Reflects a database's catalog into a ``DatabaseSchema``, with a few batched catalog
/// queries for the whole database (never a round of queries per table).
///
/// ```swift
/// let schema = try await SchemaReflector.reflect(connection)
/// let model = ReflectedModel(schema: schema, overrides: config.naming)
/// // later: reload when DDL changed
/// if try await SchemaReflector.fingerprint(of: connection) != schema.fingerprint { … }
/// ```
public enum SchemaReflector {
    /// Reads tables, views, columns, keys, foreign keys and comments of the schemas that
    /// `options` selects. Edge cases (views, tables without primary key, unmapped types)
    /// become ``DatabaseSchema/notices``, never errors; database errors are rethrown.
    public static func reflect(
        _ connection: any DatabaseConnection, options: ReflectionOptions = ReflectionOptions()
    ) async throws -> DatabaseSchema {
        try await reflect(connections: [connection], options: options)
    }

    /// Reflects `database` like ``reflect(_:options:)-(DatabaseConnection,_)`` does a connection,
    /// reading with two pooled connections side by side when the pool has a second one free
    /// (PostgreSQL and MariaDB): reflection then takes about the time of its longest catalog
    /// query instead of the sum.
    public static func reflect(
        _ database: Database, options: ReflectionOptions = ReflectionOptions()
    ) async throws -> DatabaseSchema {
        try await database.withConnections(upTo: database.kind == .sqlite ? 1 : 2) {
            try await reflect(connections: $0, options: options)
        }
    }

    /// Reflects with one or two connections to the same database.
    static func reflect(connections list: [any DatabaseConnection], options: ReflectionOptions) async throws
        -> DatabaseSchema
    {
        let connections = try CatalogConnections(list)
        var schema: DatabaseSchema
        switch connections.primary.dialect.kind {
        case .postgres: schema = try await PostgresReflector(connections: connections, options: options).reflect()
        case .mysql: schema = try await MySQLReflector(connections: connections, options: options).reflect()
        case .sqlite: schema = try await SQLiteReflector(connection: connections.primary, options: options).reflect()
        }
        addStandardNotices(to: &schema)
        return schema
    }

    /// The current fingerprint of the schemas `options` selects: equal to
    /// ``DatabaseSchema/fingerprint`` of a reflection as long as no DDL changed them. One
    /// cheap catalog query (SQLite: `PRAGMA schema_version`).
    public static func fingerprint(
        of connection: any DatabaseConnection, options: ReflectionOptions = ReflectionOptions()
    ) async throws -> String {
        switch connection.dialect.kind {
        case .postgres:
            let r = PostgresReflector(connections: try CatalogConnections([connection]), options: options)
            return try await r.fingerprint(schemas: try await r.schemas().included)
        case .mysql:
            let r = MySQLReflector(connections: try CatalogConnections([connection]), options: options)
            return try await r.fingerprint(schemas: try await r.schemas().included)
        case .sqlite:
            let r = SQLiteReflector(connection: connection, options: options)
            return try await r.fingerprint(schemas: try await r.schemas())
        }
    }

    /// Adds the notices every dialect shares: views and tables without primary key (read-only
    /// at most) and columns of unmapped types (left out of the fields).
    static func addStandardNotices(to schema: inout DatabaseSchema) {
        for key in schema.sortedKeys {
            // An inheritance child is not exported by default: the inheritance notice covers it.
            guard let t = schema.tables[key], t.inheritsFrom == nil else { continue }
            if t.isView {
                schema.notices.append(
                    ReflectionNotice(kind: .view, table: key, message: "\(key) is a view: readOnly at most"))
            } else if t.primaryKey.isEmpty {
                schema.notices.append(
                    ReflectionNotice(
                        kind: .noPrimaryKey, table: key, message: "\(key) has no primary key: readOnly at most"))
            }
            for c in t.columns where c.kind == nil {
                schema.notices.append(
                    ReflectionNotice(
                        kind: .unmappedType, table: key, column: c.name,
                        message: "\(key).\(c.name): type '\(c.declaredType)' has no Value mapping; column left out"))
            }
        }
    }

    /// `(p1, p2, …)` for an `IN` list of `count` parameters starting at parameter `start`.
    static func placeholders(_ dialect: any SQLDialect, count: Int, start: Int = 0) -> String {
        "(" + (start..<(start + count)).map { dialect.placeholder($0) }.joined(separator: ", ") + ")"
    }
}
