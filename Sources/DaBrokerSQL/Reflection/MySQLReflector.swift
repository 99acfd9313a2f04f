import DaBrokerCore
import Foundation

/// Reflects MariaDB / MySQL from `information_schema`: one query each for `ENGINES`,
/// `TABLES`, `COLUMNS`, `CHECK_CONSTRAINTS` (MariaDB's JSON columns),
/// `REFERENTIAL_CONSTRAINTS` and `KEY_COLUMN_USAGE` over every selected database at once
/// (joined in Swift: `information_schema` joins are slow).
///
/// The fingerprint is a row count and a sum of CRC-32s of the `TABLES`, `COLUMNS`,
/// `KEY_COLUMN_USAGE` and `REFERENTIAL_CONSTRAINTS` rows reflection reads: reflection computes
/// it from those rows in Swift, ``fingerprint(schemas:)`` with one query on the server.
struct MySQLReflector {
    let connection: any DatabaseConnection
    let options: ReflectionOptions

    /// The fingerprinted catalog reads: table, schema column, selected columns, extra condition.
    static let tablesRead = (
        "TABLES", "TABLE_SCHEMA", "TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COMMENT",
        " AND TABLE_TYPE IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED')"
    )
    static let columnsRead = (
        "COLUMNS", "TABLE_SCHEMA",
        "TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION, COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE,"
            + " COLUMN_DEFAULT, EXTRA, IS_GENERATED, GENERATION_EXPRESSION, COLUMN_COMMENT", ""
    )
    static let rulesRead = (
        "REFERENTIAL_CONSTRAINTS", "CONSTRAINT_SCHEMA",
        "CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE", ""
    )
    static let keysRead = (
        "KEY_COLUMN_USAGE", "TABLE_SCHEMA",
        "TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION, COLUMN_NAME, REFERENCED_TABLE_SCHEMA,"
            + " REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME", ""
    )

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
        var selects: [String] = []
        var params: [Value] = []
        for (table, schemaColumn, columns, condition) in [
            Self.tablesRead, Self.columnsRead, Self.keysRead, Self.rulesRead,
        ] {
            let f = schemaFilter(schemaColumn, schemas)
            selects.append(
                "(SELECT CONCAT(COUNT(*), '/', COALESCE(SUM(CRC32(CONCAT_WS('|', \(columns)))), 0))"
                    + " FROM information_schema.\(table) WHERE \(f.sql)\(condition))")
            params += f.params
        }
        let rows = try await connection.execute("SELECT CONCAT_WS(':', \(selects.joined(separator: ", ")))", params)
            .rows
        return "mysql:" + (rows.first?[0].catalogString ?? "")
    }

    /// Runs one fingerprinted catalog read and adds its rows to `checksum`.
    private func read(
        _ read: (String, String, String, String), _ schemas: [String], orderBy: String = "",
        into checksum: inout CatalogChecksum
    ) async throws -> [Row] {
        let f = schemaFilter(read.1, schemas)
        let rows = try await connection.execute(
            "SELECT \(read.2) FROM information_schema.\(read.0) WHERE \(f.sql)\(read.3)\(orderBy)", f.params
        ).rows
        for row in rows { checksum.add(row.values.lazy.map(\.catalogString)) }
        return rows
    }

    func reflect() async throws -> DatabaseSchema {
        let (defaultSchema, schemas) = try await schemas()
        var result = DatabaseSchema(databaseKind: .mysql, defaultSchema: defaultSchema)
        guard !schemas.isEmpty else {
            result.fingerprint = "mysql:empty"
            return result
        }
        var sums = [CatalogChecksum](repeating: CatalogChecksum(), count: 4)

        var transactional: [String: Bool] = [:]
        for row in try await connection.execute("SELECT ENGINE, TRANSACTIONS FROM information_schema.ENGINES").rows {
            if let e = row[0].catalogString { transactional[e.lowercased()] = row[1].catalogString == "YES" }
        }

        var tables: [String: TableDescription] = [:]  // by "schema\u{0}name"
        func id(_ row: Row) -> String? {
            guard let s = row[0].catalogString, let n = row[1].catalogString else { return nil }
            return s + "\u{0}" + n
        }

        for row in try await read(Self.tablesRead, schemas, into: &sums[0]) {
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

        let columnRows = try await read(
            Self.columnsRead, schemas, orderBy: " ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION", into: &sums[1])
        for row in columnRows {
            guard let key = id(row), tables.index(forKey: key) != nil, let name = row[3].catalogString else { continue }
            let columnType = row[4].catalogString ?? ""
            let extra = (row[8].catalogString ?? "").lowercased()
            let defaultValue = row[7].catalogString.flatMap { $0 == "NULL" ? nil : $0 }
            tables[key]?.columns.append(
                ColumnDescription(
                    name: name, declaredType: columnType,
                    kind: ValueKindMapping.mysql(dataType: row[5].catalogString ?? "", columnType: columnType),
                    isNullable: row[6].catalogString == "YES", defaultValue: defaultValue,
                    isAutoIncrement: !extra.isEmpty && extra.contains("auto_increment"),
                    isGenerated: row[9].catalogString == "ALWAYS" || (!extra.isEmpty && extra.contains("generated")),
                    comment: row[11].catalogString.flatMap { $0.isEmpty ? nil : $0 }))
        }

        // MariaDB's JSON is a longtext with CHECK (json_valid(`col`)); the driver reads it as JSON.
        // (MySQL has a real JSON type and no CHECK_CONSTRAINTS.TABLE_NAME: the query may fail there.)
        if columnRows.contains(where: { $0[5].catalogString?.lowercased() == "longtext" }) {
            let f = schemaFilter("CONSTRAINT_SCHEMA", schemas)
            let checks =
                (try? await connection.execute(
                    "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
                        + " WHERE \(f.sql) AND CHECK_CLAUSE LIKE 'json\\_valid(%'",
                    f.params
                ).rows) ?? []
            for row in checks {
                guard let key = id(row), let clause = row[2].catalogString,
                    let open = clause.firstIndex(of: "`"), let close = clause.lastIndex(of: "`"), open < close
                else { continue }
                let column = clause[clause.index(after: open)..<close].replacingOccurrences(of: "``", with: "`")
                if let i = tables[key]?.columns.firstIndex(where: { $0.name == column && $0.kind == .string }) {
                    tables[key]?.columns[i].kind = .json
                }
            }
        }

        var rules: [String: (update: String, delete: String)] = [:]
        for row in try await read(Self.rulesRead, schemas, into: &sums[3]) {
            guard let key = id(row), let name = row[2].catalogString else { continue }
            rules[key + "\u{0}" + name] = (row[3].catalogString ?? "", row[4].catalogString ?? "")
        }

        let keyRows = try await read(
            Self.keysRead, schemas, orderBy: " ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION",
            into: &sums[2])
        readKeys(keyRows, rules: rules, id: id, into: &tables)
        result.fingerprint = "mysql:" + sums.map(\.text).joined(separator: ":")
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
            let columns = group.compactMap { $0[4].catalogString }
            if name == "PRIMARY" {
                tables[key]?.primaryKey = columns
            } else if let targetTable = group[0][6].catalogString {
                let rule = rules[key + "\u{0}" + name]
                tables[key]?.foreignKeys.append(
                    ForeignKeyDescription(
                        name: name, columns: columns, referencedSchema: group[0][5].catalogString ?? "",
                        referencedTable: targetTable, referencedColumns: group.compactMap { $0[7].catalogString },
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
