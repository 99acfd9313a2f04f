import DaBrokerCore

extension StatementBuilder {
    /// `SELECT columns FROM table WHERE condition ORDER BY … LIMIT n [FOR UPDATE]`: the query
    /// of a search, a page (the keyset predicate ANDed into `condition`) or an upsert's lookup.
    ///
    /// `forUpdate` locks the rows read on PostgreSQL and MariaDB (SQLite's write transaction
    /// already holds the database).
    public func select(
        _ columns: [String], from table: String, schema: String? = nil, condition: SQLCondition?,
        order: [SQLOrderTerm] = [], limit: Int? = nil, forUpdate: Bool = false
    ) -> SQLStatement {
        var params: [Value] = []
        var sql = "SELECT " + columns.map(dialect.quote).joined(separator: ", ")
        sql += " FROM " + self.table(table, schema: schema)
        if let condition { sql += " WHERE " + write(condition, &params) }
        if !order.isEmpty { sql += " ORDER BY " + order.map(orderTerm).joined(separator: ", ") }
        if let limit { sql += " LIMIT \(max(0, limit))" }
        if forUpdate && dialect.kind != .sqlite { sql += " FOR UPDATE" }
        return SQLStatement(sql, params)
    }

    /// `SELECT COUNT(*) FROM table WHERE condition`.
    public func count(from table: String, schema: String? = nil, condition: SQLCondition?) -> SQLStatement {
        var params: [Value] = []
        var sql = "SELECT COUNT(*) FROM " + self.table(table, schema: schema)
        if let condition { sql += " WHERE " + write(condition, &params) }
        return SQLStatement(sql, params)
    }

    /// The statement reading the database's row estimate of a table (one row, one number):
    /// `pg_class.reltuples` on PostgreSQL (negative when never analysed), the table statistics
    /// (`information_schema.TABLES.TABLE_ROWS`) on MariaDB; nil on SQLite, which keeps none
    /// (count exactly there). `schema` nil or empty means the connection's current schema.
    public func estimatedCount(of table: String, schema: String?) -> SQLStatement? {
        let schema: Value = (schema?.isEmpty ?? true) ? .null : .string(schema ?? "")
        switch dialect.kind {
        case .postgres:
            return SQLStatement(
                "SELECT c.reltuples FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = COALESCE($1::text, current_schema()) AND c.relname = $2",
                [schema, .string(table)])
        case .mysql:
            return SQLStatement(
                "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE())"
                    + " AND TABLE_NAME = ?", [schema, .string(table)])
        case .sqlite: return nil
        }
    }

    /// `INSERT … ON CONFLICT (conflict) DO NOTHING [RETURNING …]` on PostgreSQL and SQLite: an
    /// insert that writes nothing when a row with the same `conflict` key exists. MariaDB has
    /// no such form that leaves other errors errors (`INSERT IGNORE` turns them into warnings):
    /// there it is the plain insert, and a duplicate key fails.
    public func insertIfAbsent(
        into table: String, schema: String? = nil, values: [(String, Value)], conflict: [String],
        returning: [String] = []
    ) -> SQLStatement {
        var st = insert(into: table, schema: schema, values: values)
        guard dialect.kind != .mysql else { return st }
        st.sql += " ON CONFLICT (" + conflict.map(dialect.quote).joined(separator: ", ") + ") DO NOTHING"
        if !returning.isEmpty { st.sql += " RETURNING " + returning.map(dialect.quote).joined(separator: ", ") }
        return st
    }

    /// One `ORDER BY` term with the NULL placement of ``SQLOrderTerm``.
    func orderTerm(_ t: SQLOrderTerm) -> String {
        let c = dialect.quote(t.column)
        let direction = t.descending ? " DESC" : ""
        // PostgreSQL's defaults are the wanted ones (NULLS LAST ascending, FIRST descending).
        // MariaDB has no NULLS FIRST/LAST and sorts NULL lowest, as SQLite does.
        guard t.nullable, dialect.kind != .postgres else { return c + direction }
        return c + " IS NULL" + direction + ", " + c + direction
    }

    /// The SQL of a condition, appending its values to `params`.
    func write(_ condition: SQLCondition, _ params: inout [Value]) -> String {
        switch condition {
        case .compare(let column, let op, let value):
            let c = dialect.quote(column)
            if value.isNull {
                switch op {
                case .equal: return c + " IS NULL"
                case .notEqual: return c + " IS NOT NULL"
                default: return "1 = 0"
                }
            }
            return c + " " + op.sql + " " + parameter(value, &params)
        case .oneOf(let column, let values):
            let present = values.filter { !$0.isNull }
            var parts: [String] = []
            if !present.isEmpty {
                let list = present.map { parameter($0, &params) }.joined(separator: ", ")
                parts.append(dialect.quote(column) + " IN (" + list + ")")
            }
            if present.count < values.count { parts.append(dialect.quote(column) + " IS NULL") }
            if parts.isEmpty { return "1 = 0" }
            return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " OR ") + ")"
        case .isNull(let column): return dialect.quote(column) + " IS NULL"
        case .isNotNull(let column): return dialect.quote(column) + " IS NOT NULL"
        case .like(let column, let pattern, let insensitive): return like(column, pattern, insensitive, &params)
        case .all(let conditions):
            if conditions.isEmpty { return "1 = 1" }
            if conditions.count == 1 { return write(conditions[0], &params) }
            return conditions.map { group($0, &params) }.joined(separator: " AND ")
        case .any(let conditions):
            if conditions.isEmpty { return "1 = 0" }
            if conditions.count == 1 { return write(conditions[0], &params) }
            return "(" + conditions.map { group($0, &params) }.joined(separator: " OR ") + ")"
        }
    }

    /// A nested condition, parenthesised when it is an AND of several (an OR parenthesises itself).
    private func group(_ c: SQLCondition, _ params: inout [Value]) -> String {
        if case .all(let inner) = c, inner.count > 1 { return "(" + write(c, &params) + ")" }
        return write(c, &params)
    }

    private func parameter(_ v: Value, _ params: inout [Value]) -> String {
        params.append(v)
        return dialect.placeholder(params.count - 1)
    }

    /// `LIKE` with `\` as the escape character, the same meaning on every database:
    /// - PostgreSQL: `LIKE`/`ILIKE` on the column as text (enums included);
    /// - MariaDB: the column as utf8mb4 with the binary collation (the default collation
    ///   ignores case), lower-cased on both sides for the case-insensitive form; the escape
    ///   is `CHAR(92)`, which reads the same whatever `NO_BACKSLASH_ESCAPES` says;
    /// - SQLite: `LIKE` ignores ASCII case, so the case-sensitive form is `GLOB` with the
    ///   pattern translated, the insensitive one `LOWER(column) LIKE LOWER(pattern)`.
    private func like(_ column: String, _ pattern: String, _ insensitive: Bool, _ params: inout [Value]) -> String {
        let c = dialect.quote(column)
        switch dialect.kind {
        case .postgres:
            let p = parameter(.string(pattern), &params)
            return "CAST(\(c) AS text) \(insensitive ? "ILIKE" : "LIKE") \(p) ESCAPE '\\'"
        case .mysql:
            let p = parameter(.string(pattern), &params)
            let text = "CONVERT(\(c) USING utf8mb4)"
            if insensitive { return "LOWER(\(text)) COLLATE utf8mb4_bin LIKE LOWER(\(p)) ESCAPE CHAR(92)" }
            return "\(text) COLLATE utf8mb4_bin LIKE \(p) ESCAPE CHAR(92)"
        case .sqlite:
            if insensitive {
                let p = parameter(.string(pattern), &params)
                return "LOWER(\(c)) LIKE LOWER(\(p)) ESCAPE '\\'"
            }
            return c + " GLOB " + parameter(.string(Self.glob(fromLike: pattern)), &params)
        }
    }

    /// A `LIKE` pattern (with `\` escapes) as a SQLite `GLOB` pattern: `%` → `*`, `_` → `?`,
    /// and the characters `GLOB` treats specially (`*`, `?`, `[`) inside brackets.
    static func glob(fromLike pattern: String) -> String {
        var out = ""
        var escaped = false
        for ch in pattern {
            if !escaped && ch == "\\" {
                escaped = true
                continue
            }
            if !escaped && ch == "%" {
                out.append("*")
            } else if !escaped && ch == "_" {
                out.append("?")
            } else if ch == "*" || ch == "?" || ch == "[" {
                out += "[\(ch)]"
            } else {
                out.append(ch)
            }
            escaped = false
        }
        if escaped { out.append("\\") }
        return out
    }
}
