import DaBrokerCore

/// One fingerprinted MariaDB catalog read: which rows of which `information_schema` table,
/// which of their columns. Reflection reads the rows and checksums them in Swift; the
/// fingerprint checksums the same rows on the server, so both agree while no DDL happens.
struct MySQLCatalogRead: Sendable {
    /// The `FROM` clause: an `information_schema` table or a derived table over one.
    let from: String
    /// The column (of `from`) holding the schema, filtered to the selected ones.
    let schemaColumn: String
    /// The columns read, in order.
    let columns: String
    /// More `AND` conditions, with their leading ` AND`.
    var condition = ""

    /// `SELECT <columns> FROM <from> WHERE <schema> IN (…)<condition>`, and its parameters.
    func select(_ schemas: [String], dialect: any SQLDialect) -> (sql: String, parameters: [Value]) {
        select(columns, schemas, dialect: dialect)
    }

    /// `COUNT(*)` and the CRC-32 sum of the rows, as `CatalogChecksum` computes them.
    func checksum(_ schemas: [String], dialect: any SQLDialect) -> (sql: String, parameters: [Value]) {
        select("CONCAT(COUNT(*), '/', COALESCE(SUM(CRC32(CONCAT_WS('|', \(columns)))), 0))", schemas, dialect: dialect)
    }

    private func select(_ list: String, _ schemas: [String], dialect: any SQLDialect) -> (
        sql: String, parameters: [Value]
    ) {
        (
            "SELECT \(list) FROM \(from) WHERE \(schemaColumn) IN "
                + SchemaReflector.placeholders(dialect, count: schemas.count) + condition,
            schemas.map { .string($0) }
        )
    }

    static let tables = MySQLCatalogRead(
        from: "information_schema.TABLES", schemaColumn: "TABLE_SCHEMA",
        columns: "TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COMMENT",
        condition: " AND TABLE_TYPE IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED')")

    static let columns = MySQLCatalogRead(
        from: "information_schema.COLUMNS", schemaColumn: "TABLE_SCHEMA",
        columns: "TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION, COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE,"
            + " COLUMN_DEFAULT, EXTRA, IS_GENERATED, GENERATION_EXPRESSION, COLUMN_COMMENT")

    /// Primary keys and unique keys (`STATISTICS` reads the table definitions only, where
    /// `KEY_COLUMN_USAGE` opens every table).
    static let uniqueIndexes = MySQLCatalogRead(
        from: "information_schema.STATISTICS", schemaColumn: "TABLE_SCHEMA",
        columns: "TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME", condition: " AND NON_UNIQUE = 0")

    /// A schema or table part of an InnoDB dictionary name (`db/table`, in the file-name
    /// encoding of identifiers: `@` escapes everything but ASCII letters, digits and `_`),
    /// decoded.
    private static func decoded(_ part: String) -> String {
        "IF(INSTR(\(part), '@') = 0, \(part), CONVERT(CONVERT(CAST(\(part) AS BINARY) USING filename) USING utf8mb4))"
    }

    /// Foreign keys from InnoDB's dictionary (needs the PROCESS privilege; MariaDB only):
    /// read from memory, with no table opened. Other engines have no foreign keys.
    static let innodbForeignKeys = MySQLCatalogRead(
        from: "(SELECT \(decoded("SUBSTRING_INDEX(FOR_NAME, '/', 1)")) AS s,"
            + " \(decoded("SUBSTRING_INDEX(FOR_NAME, '/', -1)")) AS t, SUBSTRING(ID, LOCATE('/', ID) + 1) AS name,"
            + " \(decoded("SUBSTRING_INDEX(REF_NAME, '/', 1)")) AS rs,"
            + " \(decoded("SUBSTRING_INDEX(REF_NAME, '/', -1)")) AS rt, TYPE AS flags"
            + " FROM information_schema.INNODB_SYS_FOREIGN) f",
        schemaColumn: "s", columns: "s, t, name, rs, rt, flags")

    /// The columns of ``innodbForeignKeys``.
    static let innodbForeignKeyColumns = MySQLCatalogRead(
        from: "(SELECT \(decoded("SUBSTRING_INDEX(ID, '/', 1)")) AS s, SUBSTRING(ID, LOCATE('/', ID) + 1) AS name,"
            + " FOR_COL_NAME AS col, REF_COL_NAME AS ref, POS AS pos FROM information_schema.INNODB_SYS_FOREIGN_COLS) c",
        schemaColumn: "s", columns: "s, name, col, ref, pos")

    /// Foreign-key rules, when InnoDB's dictionary cannot be read.
    static let referentialConstraints = MySQLCatalogRead(
        from: "information_schema.REFERENTIAL_CONSTRAINTS", schemaColumn: "CONSTRAINT_SCHEMA",
        columns: "CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE")

    /// Foreign-key columns, when InnoDB's dictionary cannot be read.
    static let foreignKeyColumnUsage = MySQLCatalogRead(
        from: "information_schema.KEY_COLUMN_USAGE", schemaColumn: "TABLE_SCHEMA",
        columns: "TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION, COLUMN_NAME, REFERENCED_TABLE_SCHEMA,"
            + " REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME",
        condition: " AND REFERENCED_TABLE_NAME IS NOT NULL")
}
