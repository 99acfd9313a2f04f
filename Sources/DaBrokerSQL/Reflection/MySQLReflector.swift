import DaBrokerCore

/// Reflects MariaDB / MySQL from `information_schema`: one query each for `ENGINES`,
/// `TABLES`, `COLUMNS`, `KEY_COLUMN_USAGE` and `REFERENTIAL_CONSTRAINTS` over every selected
/// database at once (joined in Swift: `information_schema` joins are slow). The fingerprint
/// is a count and CRC32 sum over the same catalog rows (and `CREATE_TIME`).
struct MySQLReflector {
    let connection: any DatabaseConnection
    let options: ReflectionOptions

    /// The default database (`DATABASE()`) and the databases to read.
    func schemas() async throws -> (defaultSchema: String, included: [String]) {
        let current = try await connection.execute("SELECT DATABASE()").rows.first?[0].catalogString
        let rows = try await connection.execute(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME"
        ).rows
        let included = rows.compactMap { $0[0].catalogString }.filter { options.includes($0, isDefault: $0 == current) }
        return (current ?? "", included)
    }

    /// `WHERE <column> IN (?, …)` and the parameters for it.
    private func schemaFilter(_ column: String, _ schemas: [String]) -> (sql: String, params: [Value]) {
        (
            "\(column) IN \(SchemaReflector.placeholders(connection.dialect, count: schemas.count))",
            schemas.map { .string($0) }
        )
    }

    func fingerprint(schemas: [String]) async throws -> String {
        guard !schemas.isEmpty else { return "mysql:empty" }
        let parts: [(String, String, String)] = [
            ("TABLES", "TABLE_SCHEMA", "TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COMMENT, CREATE_TIME"),
            (
                "COLUMNS", "TABLE_SCHEMA",
                "TABLE_NAME, ORDINAL_POSITION, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,"
                    + " GENERATION_EXPRESSION, COLUMN_COMMENT"
            ),
            (
                "KEY_COLUMN_USAGE", "TABLE_SCHEMA",
                "TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION, COLUMN_NAME, REFERENCED_TABLE_SCHEMA,"
                    + " REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME"
            ),
            ("REFERENTIAL_CONSTRAINTS", "CONSTRAINT_SCHEMA", "TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE"),
        ]
        var selects: [String] = []
        var params: [Value] = []
        for (table, schemaColumn, columns) in parts {
            let f = schemaFilter(schemaColumn, schemas)
            selects.append(
                "(SELECT CONCAT(COUNT(*), '/', COALESCE(SUM(CRC32(CONCAT_WS('|', \(schemaColumn), \(columns)))), 0))"
                    + " FROM information_schema.\(table) WHERE \(f.sql))")
            params += f.params
        }
        let rows = try await connection.execute("SELECT CONCAT_WS(':', \(selects.joined(separator: ", ")))", params)
            .rows
        return "mysql:" + (rows.first?[0].catalogString ?? "")
    }

    func reflect() async throws -> DatabaseSchema {
        let (defaultSchema, schemas) = try await schemas()
        var result = DatabaseSchema(databaseKind: .mysql, defaultSchema: defaultSchema)
        result.fingerprint = try await fingerprint(schemas: schemas)
        guard !schemas.isEmpty else { return result }

        var transactional: [String: Bool] = [:]
        for row in try await connection.execute("SELECT ENGINE, TRANSACTIONS FROM information_schema.ENGINES").rows {
            if let e = row[0].catalogString { transactional[e.lowercased()] = row[1].catalogString == "YES" }
        }

        var tables: [String: TableDescription] = [:]  // by "schema\u{0}name"
        func id(_ row: Row) -> String? {
            guard let s = row[0].catalogString, let n = row[1].catalogString else { return nil }
            return s + "\u{0}" + n
        }
        var f = schemaFilter("TABLE_SCHEMA", schemas)
        for row in try await connection.execute(
            "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COMMENT FROM information_schema.TABLES"
                + " WHERE \(f.sql) AND TABLE_TYPE IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED')",
            f.params
        ).rows {
            guard let key = id(row), let schema = row[0].catalogString, let name = row[1].catalogString else {
                continue
            }
            let isView = row[2].catalogString == "VIEW"
            let engine = isView ? nil : row[3].catalogString
            let comment = isView ? nil : row[4].catalogString.flatMap { $0.isEmpty ? nil : $0 }
            tables[key] = TableDescription(
                schema: schema, name: name, isView: isView, engine: engine,
                isTransactional: engine.map { transactional[$0.lowercased()] ?? false }, comment: comment)
        }

        for row in try await connection.execute(
            "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,"
                + " IS_GENERATED, COLUMN_COMMENT FROM information_schema.COLUMNS WHERE \(f.sql)"
                + " ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION",
            f.params
        ).rows {
            guard let key = id(row), tables[key] != nil, let name = row[2].catalogString else { continue }
            let columnType = row[3].catalogString ?? ""
            let extra = (row[7].catalogString ?? "").lowercased()
            let defaultValue = row[6].catalogString.flatMap { $0 == "NULL" ? nil : $0 }
            tables[key]?.columns.append(
                ColumnDescription(
                    name: name, declaredType: columnType,
                    kind: ValueKindMapping.mysql(dataType: row[4].catalogString ?? "", columnType: columnType),
                    isNullable: row[5].catalogString == "YES", defaultValue: defaultValue,
                    isAutoIncrement: extra.contains("auto_increment"),
                    isGenerated: row[8].catalogString == "ALWAYS" || extra.contains("generated"),
                    comment: row[9].catalogString.flatMap { $0.isEmpty ? nil : $0 }))
        }

        f = schemaFilter("CONSTRAINT_SCHEMA", schemas)
        var rules: [String: (update: String, delete: String)] = [:]
        for row in try await connection.execute(
            "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE"
                + " FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE \(f.sql)",
            f.params
        ).rows {
            guard let key = id(row), let name = row[2].catalogString else { continue }
            rules[key + "\u{0}" + name] = (row[3].catalogString ?? "", row[4].catalogString ?? "")
        }

        f = schemaFilter("TABLE_SCHEMA", schemas)
        let keyRows = try await connection.execute(
            "SELECT TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA,"
                + " REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE"
                + " WHERE \(f.sql) ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION",
            f.params
        ).rows
        readKeys(keyRows, rules: rules, id: id, into: &tables)
        for t in tables.values { result.tables[result.key(of: t)] = t }
        return result
    }

    /// Groups `KEY_COLUMN_USAGE` rows (ordered by table, constraint, position) into primary
    /// keys, unique constraints and foreign keys.
    private func readKeys(
        _ rows: [Row], rules: [String: (update: String, delete: String)], id: (Row) -> String?,
        into tables: inout [String: TableDescription]
    ) {
        var i = 0
        while i < rows.count {
            guard let key = id(rows[i]), let name = rows[i][2].catalogString else {
                i += 1
                continue
            }
            var group: [Row] = []
            while i < rows.count, id(rows[i]) == key, rows[i][2].catalogString == name {
                group.append(rows[i])
                i += 1
            }
            let columns = group.compactMap { $0[3].catalogString }
            if name == "PRIMARY" {
                tables[key]?.primaryKey = columns
            } else if let targetTable = group[0][5].catalogString {
                let rule = rules[key + "\u{0}" + name]
                tables[key]?.foreignKeys.append(
                    ForeignKeyDescription(
                        name: name, columns: columns, referencedSchema: group[0][4].catalogString ?? "",
                        referencedTable: targetTable, referencedColumns: group.compactMap { $0[6].catalogString },
                        onDelete: ReferentialAction(sqlName: rule?.delete ?? ""),
                        onUpdate: ReferentialAction(sqlName: rule?.update ?? "")))
            } else {
                tables[key]?.uniqueConstraints.append(UniqueConstraintDescription(name: name, columns: columns))
            }
        }
        for key in tables.keys {
            tables[key]?.foreignKeys.sort { $0.columns.lexicographicallyPrecedes($1.columns) }
        }
    }
}
