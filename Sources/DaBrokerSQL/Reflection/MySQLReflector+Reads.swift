import DaBrokerCore
import Foundation

/// The catalog reads of ``MySQLReflector``, in two independent halves.
extension MySQLReflector {
    /// The columns of every table, in order, by ``tableKey(_:_:)``.
    struct ColumnsRead: Sendable {
        var byTable: [String: [ColumnDescription]] = [:]
        var sum = CatalogChecksum()
    }

    /// The tables (without columns) with their keys, by ``tableKey(_:_:)``.
    struct TablesRead: Sendable {
        var tables: [String: TableDescription] = [:]
        var tablesSum = CatalogChecksum()
        var uniqueSum = CatalogChecksum()
        var foreignKeySums: [CatalogChecksum] = []
        var notices: [ReflectionNotice] = []
    }

    /// `COLUMNS`, then MariaDB's JSON columns: a `longtext` with `CHECK (json_valid(col))`.
    func readColumns(on connection: any DatabaseConnection, _ schemas: [String]) async throws -> ColumnsRead {
        var read = ColumnsRead()
        var numbered: [String: [(Int64, ColumnDescription)]] = [:]
        var hasLongText = false
        for row in try await rows(.columns, schemas, on: connection, into: &read.sum) {
            guard let schema = row[0].catalogString, let table = row[1].catalogString, let name = row[3].catalogString
            else { continue }
            let columnType = row[4].catalogString ?? ""
            let dataType = row[5].catalogString ?? ""
            let extra = (row[8].catalogString ?? "").lowercased()
            let defaultValue = row[7].catalogString.flatMap { $0 == "NULL" ? nil : $0 }
            if !hasLongText, dataType.lowercased() == "longtext" { hasLongText = true }
            numbered[Self.tableKey(schema, table), default: []].append(
                (
                    row[2].catalogInt ?? 0,
                    ColumnDescription(
                        name: name, declaredType: columnType,
                        kind: ValueKindMapping.mysql(dataType: dataType, columnType: columnType),
                        isNullable: row[6].catalogString == "YES", defaultValue: defaultValue,
                        isAutoIncrement: !extra.isEmpty && extra.contains("auto_increment"),
                        isGenerated: row[9].catalogString == "ALWAYS"
                            || (!extra.isEmpty && extra.contains("generated")),
                        comment: row[11].catalogString.flatMap { $0.isEmpty ? nil : $0 }
                    ).withEnumValues(dataType.lowercased() == "enum" ? Self.enumValues(columnType) : nil)
                ))
        }
        read.byTable.reserveCapacity(numbered.count)
        for (key, list) in numbered {
            read.byTable[key] = list.sorted { $0.0 < $1.0 }.map(\.1)
        }
        if hasLongText { try await markJSONColumns(on: connection, schemas, in: &read.byTable) }
        return read
    }

    /// MariaDB's JSON is a `longtext` with `CHECK (json_valid(col))`; the driver reads it as
    /// JSON. (MySQL has a real JSON type and no `CHECK_CONSTRAINTS.TABLE_NAME`: the query may
    /// fail there, which changes nothing.)
    private func markJSONColumns(
        on connection: any DatabaseConnection, _ schemas: [String], in byTable: inout [String: [ColumnDescription]]
    ) async throws {
        let filter = SchemaReflector.placeholders(connection.dialect, count: schemas.count)
        let checks =
            (try? await connection.execute(
                "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
                    + " WHERE CONSTRAINT_SCHEMA IN \(filter) AND CHECK_CLAUSE LIKE 'json\\_valid(%'",
                schemas.map { .string($0) }
            ).rows) ?? []
        for row in checks {
            guard let schema = row[0].catalogString, let table = row[1].catalogString,
                let clause = row[2].catalogString,
                let open = clause.firstIndex(of: "`"), let close = clause.lastIndex(of: "`"), open < close
            else { continue }
            let column = clause[clause.index(after: open)..<close].replacingOccurrences(of: "``", with: "`")
            let key = Self.tableKey(schema, table)
            if let i = byTable[key]?.firstIndex(where: { $0.name == column && $0.kind == .string }) {
                byTable[key]?[i].kind = .json
            }
        }
    }

    /// `ENGINES` and `TABLES`, then primary and unique keys (`STATISTICS`), then foreign keys.
    func readTablesAndKeys(on connection: any DatabaseConnection, _ schemas: [String]) async throws -> TablesRead {
        var read = TablesRead()
        var transactional: [String: Bool] = [:]
        for row in try await connection.execute("SELECT ENGINE, TRANSACTIONS FROM information_schema.ENGINES").rows {
            if let e = row[0].catalogString { transactional[e.lowercased()] = row[1].catalogString == "YES" }
        }
        for row in try await rows(.tables, schemas, on: connection, into: &read.tablesSum) {
            guard let schema = row[0].catalogString, let name = row[1].catalogString else { continue }
            let isView = row[2].catalogString == "VIEW"
            let engine = isView ? nil : row[3].catalogString
            read.tables[Self.tableKey(schema, name)] = TableDescription(
                schema: schema, name: name, isView: isView, engine: engine,
                isTransactional: engine.map { transactional[$0.lowercased()] ?? false },
                comment: isView ? nil : row[4].catalogString.flatMap { $0.isEmpty ? nil : $0 })
        }

        var indexes: [String: (table: String, name: String, columns: [(Int64, String)])] = [:]
        for row in try await rows(.uniqueIndexes, schemas, on: connection, into: &read.uniqueSum) {
            guard let schema = row[0].catalogString, let table = row[1].catalogString, let name = row[2].catalogString,
                let column = row[4].catalogString
            else { continue }
            let key = Self.tableKey(schema, table)
            indexes[key + "\u{0}" + name, default: (key, name, [])].columns.append((row[3].catalogInt ?? 0, column))
        }
        for index in indexes.values.sorted(by: { $0.name < $1.name }) {
            let columns = index.columns.sorted { $0.0 < $1.0 }.map(\.1)
            if index.name == "PRIMARY" {
                read.tables[index.table]?.primaryKey = columns
            } else {
                read.tables[index.table]?.uniqueConstraints.append(
                    UniqueConstraintDescription(name: index.name, columns: columns))
            }
        }

        let foreignKeys = try await readForeignKeys(on: connection, schemas, tables: read.tables)
        read.foreignKeySums = foreignKeys.sums
        if let notice = foreignKeys.notice { read.notices.append(notice) }
        for (key, list) in foreignKeys.byTable where read.tables.index(forKey: key) != nil {
            read.tables[key]?.foreignKeys = list.sorted {
                $0.columns == $1.columns
                    ? ($0.name ?? "") < ($1.name ?? "") : $0.columns.lexicographicallyPrecedes($1.columns)
            }
        }
        return read
    }

    /// Foreign keys by table, and the checksums of the reads that fingerprint them: from
    /// InnoDB's dictionary when it can be read and its names match the tables read, otherwise
    /// from `information_schema` (then the checksums stay those of the dictionary, as
    /// ``fingerprint(schemas:)`` computes them).
    private func readForeignKeys(
        on connection: any DatabaseConnection, _ schemas: [String], tables: [String: TableDescription]
    ) async throws -> (byTable: [String: [ForeignKeyDescription]], sums: [CatalogChecksum], notice: ReflectionNotice?) {
        var sums = [CatalogChecksum](repeating: CatalogChecksum(), count: 2)
        let keys: [Row]
        let columns: [Row]
        do {
            keys = try await rows(.innodbForeignKeys, schemas, on: connection, into: &sums[0])
            columns = try await rows(.innodbForeignKeyColumns, schemas, on: connection, into: &sums[1])
        } catch let error as DatabaseError where error.kind == .statement {
            sums = [CatalogChecksum](repeating: CatalogChecksum(), count: 2)
            let notice = ReflectionNotice(
                kind: .slowCatalog, table: "",
                message: "foreign keys read from information_schema, which opens every table (InnoDB's dictionary"
                    + " could not be read: \(error.serverMessage ?? error.message)); the PROCESS privilege lets reflection read the"
                    + " dictionary instead, but also shows other sessions' statements")
            return (try await readStandardForeignKeys(on: connection, schemas, into: &sums), sums, notice)
        }
        var columnsByKey: [String: [(Int64, String, String)]] = [:]
        for row in columns {
            guard let schema = row[0].catalogString, let name = row[1].catalogString,
                let column = row[2].catalogString, let referenced = row[3].catalogString
            else { continue }
            columnsByKey[schema + "\u{0}" + name, default: []].append((row[4].catalogInt ?? 0, column, referenced))
        }
        var byTable: [String: [ForeignKeyDescription]] = [:]
        for row in keys {
            guard let schema = row[0].catalogString, let table = row[1].catalogString, let name = row[2].catalogString,
                let referencedSchema = row[3].catalogString, let referencedTable = row[4].catalogString,
                tables.index(forKey: Self.tableKey(schema, table)) != nil,
                let pairs = columnsByKey[schema + "\u{0}" + name]?.sorted(by: { $0.0 < $1.0 })
            else {
                // A name that does not decode to a table read: read the standard way.
                var ignored = [CatalogChecksum](repeating: CatalogChecksum(), count: 2)
                let notice = ReflectionNotice(
                    kind: .slowCatalog, table: "",
                    message: "foreign keys read from information_schema, which opens every table: InnoDB's"
                        + " dictionary names a table that was not read (\(row[0].catalogString ?? "?")."
                        + "\(row[1].catalogString ?? "?"))")
                return (try await readStandardForeignKeys(on: connection, schemas, into: &ignored), sums, notice)
            }
            let flags = row[5].catalogInt ?? 0
            byTable[Self.tableKey(schema, table), default: []].append(
                ForeignKeyDescription(
                    name: name, columns: pairs.map(\.1), referencedSchema: referencedSchema,
                    referencedTable: referencedTable, referencedColumns: pairs.map(\.2),
                    onDelete: ReferentialAction(innodbFlags: flags, onUpdate: false),
                    onUpdate: ReferentialAction(innodbFlags: flags, onUpdate: true)))
        }
        return (byTable, sums, nil)
    }

    /// Foreign keys from `REFERENTIAL_CONSTRAINTS` and `KEY_COLUMN_USAGE`.
    private func readStandardForeignKeys(
        on connection: any DatabaseConnection, _ schemas: [String], into sums: inout [CatalogChecksum]
    ) async throws -> [String: [ForeignKeyDescription]] {
        var rules: [String: (update: String, delete: String)] = [:]
        for row in try await rows(.referentialConstraints, schemas, on: connection, into: &sums[0]) {
            guard let schema = row[0].catalogString, let table = row[1].catalogString, let name = row[2].catalogString
            else { continue }
            rules[Self.tableKey(schema, table) + "\u{0}" + name] = (
                row[3].catalogString ?? "", row[4].catalogString ?? ""
            )
        }
        var groups: [String: (table: String, name: String, rows: [Row])] = [:]
        for row in try await rows(.foreignKeyColumnUsage, schemas, on: connection, into: &sums[1]) {
            guard let schema = row[0].catalogString, let table = row[1].catalogString, let name = row[2].catalogString
            else { continue }
            let key = Self.tableKey(schema, table)
            groups[key + "\u{0}" + name, default: (key, name, [])].rows.append(row)
        }
        var byTable: [String: [ForeignKeyDescription]] = [:]
        for (id, group) in groups {
            let ordered = group.rows.sorted { ($0[3].catalogInt ?? 0) < ($1[3].catalogInt ?? 0) }
            let rule = rules[id]
            byTable[group.table, default: []].append(
                ForeignKeyDescription(
                    name: group.name, columns: ordered.compactMap { $0[4].catalogString },
                    referencedSchema: ordered[0][5].catalogString ?? "",
                    referencedTable: ordered[0][6].catalogString ?? "",
                    referencedColumns: ordered.compactMap { $0[7].catalogString },
                    onDelete: ReferentialAction(sqlName: rule?.delete ?? ""),
                    onUpdate: ReferentialAction(sqlName: rule?.update ?? "")))
        }
        return byTable
    }
}

extension MySQLReflector {
    /// The labels of `enum('a','b''c')` (a `COLUMN_TYPE`), quotes undoubled.
    static func enumValues(_ columnType: String) -> [String]? {
        guard let open = columnType.firstIndex(of: "("), columnType.hasSuffix(")") else { return nil }
        var out: [String] = []
        var current = ""
        var inQuote = false
        var chars = columnType[columnType.index(after: open)..<columnType.index(before: columnType.endIndex)]
            .makeIterator()
        var pending: Character? = nil
        while let c = pending ?? chars.next() {
            pending = nil
            if inQuote {
                if c == "'" {
                    let n = chars.next()
                    if n == "'" {
                        current.append("'")
                    } else {
                        inQuote = false
                        out.append(current)
                        current = ""
                        pending = n
                    }
                } else {
                    current.append(c)
                }
            } else if c == "'" {
                inQuote = true
            }
        }
        return out
    }
}
