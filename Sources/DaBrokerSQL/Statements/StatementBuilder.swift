import DaBrokerCore

/// Builds the statements the broker runs on a table: `get`/`find` (select), `count`,
/// `insert`, `update` with old-value check, and `delete`.
///
/// Identifiers come from the reflected schema and are quoted by the dialect; every value is
/// a parameter. Limits and offsets are Swift integers written as literals. Equality with
/// `NULL` is written `IS NULL`, so a filter or key on a NULL column matches.
public struct StatementBuilder: Sendable {
    public let dialect: any SQLDialect

    public init(dialect: any SQLDialect) { self.dialect = dialect }

    /// The quoted, optionally schema-qualified table name.
    public func table(_ name: String, schema: String? = nil) -> String {
        if let schema, !schema.isEmpty { return dialect.quote(schema) + "." + dialect.quote(name) }
        return dialect.quote(name)
    }

    /// `SELECT columns FROM table WHERE c1 = ? AND … ORDER BY … LIMIT n OFFSET m`.
    public func select(
        _ columns: [String], from table: String, schema: String? = nil, where filters: [(String, Value)] = [],
        orderBy: [String] = [], limit: Int? = nil, offset: Int? = nil
    ) -> SQLStatement {
        var params: [Value] = []
        var sql = "SELECT " + columns.map(dialect.quote).joined(separator: ", ")
        sql += " FROM " + self.table(table, schema: schema)
        sql += whereClause(filters, &params)
        if !orderBy.isEmpty { sql += " ORDER BY " + orderBy.map(dialect.quote).joined(separator: ", ") }
        if let limit { sql += " LIMIT \(max(0, limit))" }
        if let offset, offset > 0 {
            // An offset without a limit: PostgreSQL takes OFFSET alone (it refuses LIMIT -1);
            // MySQL and SQLite need some LIMIT before an OFFSET, and take these as "no limit".
            if limit == nil {
                switch dialect.kind {
                case .postgres: break
                case .mysql: sql += " LIMIT 18446744073709551615"
                case .sqlite: sql += " LIMIT -1"
                }
            }
            sql += " OFFSET \(offset)"
        }
        return SQLStatement(sql, params)
    }

    /// `SELECT COUNT(*) FROM table WHERE …`.
    public func count(from table: String, schema: String? = nil, where filters: [(String, Value)] = [])
        -> SQLStatement
    {
        var params: [Value] = []
        let sql = "SELECT COUNT(*) FROM " + self.table(table, schema: schema) + whereClause(filters, &params)
        return SQLStatement(sql, params)
    }

    /// `INSERT INTO table (…) VALUES (…)`, with `RETURNING returning` where the dialect has it.
    public func insert(
        into table: String, schema: String? = nil, values: [(String, Value)], returning: [String] = []
    ) -> SQLStatement {
        var sql = "INSERT INTO " + self.table(table, schema: schema)
        if values.isEmpty {
            sql += dialect.kind == .mysql ? " () VALUES ()" : " DEFAULT VALUES"
        } else {
            sql += " (" + values.map { dialect.quote($0.0) }.joined(separator: ", ") + ") VALUES ("
            sql += values.indices.map(dialect.placeholder).joined(separator: ", ") + ")"
        }
        if !returning.isEmpty && dialect.supportsReturning {
            sql += " RETURNING " + returning.map(dialect.quote).joined(separator: ", ")
        }
        return SQLStatement(sql, values.map(\.1))
    }

    /// `UPDATE table SET … WHERE key AND every old value still holds` (null-safe comparison),
    /// so that a concurrent change makes it update no row.
    public func update(
        _ table: String, schema: String? = nil, set: [(String, Value)], where key: [(String, Value)],
        expecting old: [(String, Value)] = []
    ) -> SQLStatement {
        var params: [Value] = []
        var sql = "UPDATE " + self.table(table, schema: schema) + " SET "
        sql += set.map { column, value in
            params.append(value)
            return dialect.quote(column) + " = " + dialect.placeholder(params.count - 1)
        }.joined(separator: ", ")
        var conditions = key.map { equals($0.0, $0.1, &params) }
        conditions += old.map { notDistinct($0.0, $0.1, &params) }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        return SQLStatement(sql, params)
    }

    /// `DELETE FROM table WHERE key`.
    public func delete(from table: String, schema: String? = nil, where key: [(String, Value)]) -> SQLStatement {
        var params: [Value] = []
        return SQLStatement("DELETE FROM " + self.table(table, schema: schema) + whereClause(key, &params), params)
    }

    /// The parameters that ``select(_:from:schema:where:orderBy:limit:offset:)`` and
    /// ``count(from:schema:where:)`` bind for `filters`: their values that are not null, in order
    /// (a null filter is `IS NULL` in the text), for a caller that keeps the text of a shape.
    public static func parameters(of filters: [(String, Value)]) -> [Value] {
        var out: [Value] = []
        out.reserveCapacity(filters.count)
        for (_, value) in filters where !value.isNull { out.append(value) }
        return out
    }

    private func whereClause(_ filters: [(String, Value)], _ params: inout [Value]) -> String {
        guard !filters.isEmpty else { return "" }
        return " WHERE " + filters.map { equals($0.0, $0.1, &params) }.joined(separator: " AND ")
    }

    private func equals(_ column: String, _ value: Value, _ params: inout [Value]) -> String {
        if value.isNull { return dialect.quote(column) + " IS NULL" }
        params.append(value)
        return dialect.quote(column) + " = " + dialect.placeholder(params.count - 1)
    }

    /// Null-safe equality: `IS NOT DISTINCT FROM` (PostgreSQL), `IS` (SQLite), `<=>` (MariaDB).
    private func notDistinct(_ column: String, _ value: Value, _ params: inout [Value]) -> String {
        if value.isNull { return dialect.quote(column) + " IS NULL" }
        params.append(value)
        let p = dialect.placeholder(params.count - 1)
        switch dialect.kind {
        case .postgres: return dialect.quote(column) + " IS NOT DISTINCT FROM " + p
        case .sqlite: return dialect.quote(column) + " IS " + p
        case .mysql: return dialect.quote(column) + " <=> " + p
        }
    }
}
