import DaBrokerCore

/// Reflects MariaDB / MySQL over every selected database at once, in two independent halves
/// that run side by side when there are two connections: `COLUMNS` (and, when there are
/// `longtext` columns, `CHECK_CONSTRAINTS` for MariaDB's JSON); `ENGINES`, `TABLES`,
/// `STATISTICS` (primary and unique keys) and the foreign keys. Foreign keys come from
/// InnoDB's in-memory dictionary (`INNODB_SYS_FOREIGN`, `INNODB_SYS_FOREIGN_COLS`), which opens
/// no table; without the PROCESS privilege, or on MySQL, from `REFERENTIAL_CONSTRAINTS` and
/// `KEY_COLUMN_USAGE`, which open every table. Rows are joined and ordered in Swift:
/// `information_schema` joins and sorts are slow.
///
/// The fingerprint is a row count and a sum of CRC-32s per catalog read (``MySQLCatalogRead``):
/// reflection computes it from the rows it reads, ``fingerprint(schemas:)`` with one query on
/// the server.
struct MySQLReflector {
    let connections: CatalogConnections
    let options: ReflectionOptions
    var connection: any DatabaseConnection { connections.primary }

    /// The foreign-key reads from InnoDB's dictionary, and those of the fallback.
    static let innodbForeignKeyReads: [MySQLCatalogRead] = [.innodbForeignKeys, .innodbForeignKeyColumns]
    static let standardForeignKeyReads: [MySQLCatalogRead] = [.referentialConstraints, .foreignKeyColumnUsage]

    /// The default database (`DATABASE()`) and the databases to read.
    func schemas() async throws -> (defaultSchema: String, included: [String]) {
        let rows = try await connection.execute(
            "SELECT SCHEMA_NAME, DATABASE() FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME"
        ).rows
        let current = rows.first?[1].catalogString
        let included = rows.compactMap { $0[0].catalogString }.filter { options.includes($0, isDefault: $0 == current) }
        return (current ?? "", included)
    }

    func fingerprint(schemas: [String]) async throws -> String {
        guard !schemas.isEmpty else { return "mysql:empty" }
        do {
            return try await fingerprint(schemas, foreignKeyReads: Self.innodbForeignKeyReads)
        } catch let error as DatabaseError where error.kind == .statement {
            return try await fingerprint(schemas, foreignKeyReads: Self.standardForeignKeyReads)
        }
    }

    private func fingerprint(_ schemas: [String], foreignKeyReads: [MySQLCatalogRead]) async throws -> String {
        let parts = ([.tables, .columns, .uniqueIndexes] + foreignKeyReads).map {
            $0.checksum(schemas, dialect: connection.dialect)
        }
        let sql = "SELECT CONCAT_WS(':', " + parts.map { "(\($0.sql))" }.joined(separator: ", ") + ")"
        let rows = try await connection.execute(sql, parts.flatMap(\.parameters)).rows
        return "mysql:" + (rows.first?[0].catalogString ?? "")
    }

    func reflect() async throws -> DatabaseSchema {
        let (defaultSchema, schemas) = try await schemas()
        var result = DatabaseSchema(databaseKind: .mysql, defaultSchema: defaultSchema)
        guard !schemas.isEmpty else {
            result.fingerprint = "mysql:empty"
            return result
        }
        let (columns, keys) = try await connections.both(
            { try await readColumns(on: $0, schemas) }, { try await readTablesAndKeys(on: $0, schemas) })
        var tables = keys.tables
        for (key, list) in columns.byTable where tables.index(forKey: key) != nil {
            tables[key]?.columns = list
        }
        result.fingerprint =
            "mysql:"
            + ([keys.tablesSum, columns.sum, keys.uniqueSum] + keys.foreignKeySums).map(\.text)
            .joined(separator: ":")
        result.notices += keys.notices
        result.tables.reserveCapacity(tables.count)
        for t in tables.values { result.tables[result.key(of: t)] = t }
        return result
    }

    /// The key of a table in the maps below: schema and name.
    static func tableKey(_ schema: String, _ name: String) -> String { schema + "\u{0}" + name }

    /// Reads `read` over `schemas` and adds its rows to `checksum`.
    func rows(
        _ read: MySQLCatalogRead, _ schemas: [String], on connection: any DatabaseConnection,
        into checksum: inout CatalogChecksum
    ) async throws -> [Row] {
        let select = read.select(schemas, dialect: connection.dialect)
        let rows = try await connection.execute(select.sql, select.parameters).rows
        for row in rows { checksum.add(row.values.lazy.map(\.catalogString)) }
        return rows
    }
}

extension ReferentialAction {
    /// Reads InnoDB's foreign-key flags (`INNODB_SYS_FOREIGN.TYPE`) for deletes or updates;
    /// no flag means RESTRICT, as `information_schema` reports it.
    init(innodbFlags flags: Int64, onUpdate: Bool) {
        let (cascade, setNull, noAction): (Int64, Int64, Int64) = onUpdate ? (4, 8, 32) : (1, 2, 16)
        if flags & cascade != 0 {
            self = .cascade
        } else if flags & setNull != 0 {
            self = .setNull
        } else if flags & noAction != 0 {
            self = .noAction
        } else {
            self = .restrict
        }
    }
}
