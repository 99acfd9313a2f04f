import DaBrokerCore
import Foundation

/// Reflects SQLite: `sqlite_schema` joined with the `pragma_table_xinfo`,
/// `pragma_foreign_key_list`, `pragma_index_list` and `pragma_index_info` table-valued
/// functions, four queries per attached database. The fingerprint is `PRAGMA schema_version`.
struct SQLiteReflector {
    let connection: any DatabaseConnection
    let options: ReflectionOptions

    /// Attached databases to read (`main` by default; `temp` only when included by name).
    func schemas() async throws -> [String] {
        let rows = try await connection.execute("SELECT name FROM pragma_database_list ORDER BY seq").rows
        return rows.compactMap { $0[0].catalogString }.filter { options.includes($0, isDefault: $0 == "main") }
    }

    func fingerprint(schemas: [String]) async throws -> String {
        var parts: [String] = []
        for s in schemas {
            let v = try await connection.execute("PRAGMA \(connection.dialect.quote(s)).schema_version").rows
            parts.append(s + ":" + (v.first?[0].catalogString ?? "0"))
        }
        return "sqlite:" + parts.joined(separator: ";")
    }

    func reflect() async throws -> DatabaseSchema {
        let schemas = try await schemas()
        var result = DatabaseSchema(databaseKind: .sqlite, defaultSchema: "main")
        result.fingerprint = try await fingerprint(schemas: schemas)
        for s in schemas { try await reflect(schema: s, into: &result) }
        return result
    }

    private func reflect(schema s: String, into result: inout DatabaseSchema) async throws {
        let master = "\(connection.dialect.quote(s)).sqlite_schema AS m"
        let user = "m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        let p = connection.dialect.placeholder(0)

        var tables: [String: TableDescription] = [:]
        var withoutRowid: Set<String> = []
        var checkEnums: [String: [String: [String]]] = [:]
        let tableRows = try await connection.execute(
            "SELECT m.name, m.type, m.sql FROM \(master) WHERE m.type IN ('table', 'view') AND \(user) ORDER BY m.name"
        ).rows
        for row in tableRows {
            guard let name = row[0].catalogString else { continue }
            tables[name] = TableDescription(schema: s, name: name, isView: row[1].catalogString == "view")
            if let sql = row[2].catalogString?.uppercased(), sql.contains("WITHOUT ROWID") { withoutRowid.insert(name) }
            if row[1].catalogString == "table", let sql = row[2].catalogString,
                sql.range(of: " IN ", options: .caseInsensitive) != nil
            {
                checkEnums[name] = SQLiteCheckEnums.read(sql)
            }
        }

        // Columns of every table and view in one query; a broken view makes the batched
        // query fail, so then read them one by one and report the unreadable ones.
        let columnSQL =
            "SELECT m.name, p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden FROM \(master)"
            + " JOIN pragma_table_xinfo(m.name, \(p)) AS p WHERE m.type IN ('table', 'view') AND \(user)"
        var columnRows: [Row]
        do {
            columnRows = try await connection.execute(columnSQL + " ORDER BY m.name, p.cid", [.string(s)]).rows
        } catch {
            columnRows = []
            for name in tables.keys.sorted() {
                do {
                    columnRows += try await connection.execute(
                        columnSQL + " AND m.name = \(connection.dialect.placeholder(1)) ORDER BY p.cid",
                        [.string(s), .string(name)]
                    ).rows
                } catch {
                    result.notices.append(
                        ReflectionNotice(
                            kind: .unreadable, table: result.key(schema: s, name: name),
                            message: "\(result.key(schema: s, name: name)) could not be read and is skipped: \(error)"))
                    tables[name] = nil
                }
            }
        }
        var pkPositions: [String: [(Int64, String)]] = [:]
        var kinds: [String: ValueKind?] = [:]  // by declared type: a few distinct ones
        for row in columnRows {
            guard let table = row[0].catalogString, let name = row[2].catalogString, tables.index(forKey: table) != nil
            else {
                continue
            }
            let hidden = row[7].catalogInt ?? 0
            if hidden == 1 { continue }  // hidden column of a virtual table
            let declared = row[3].catalogString ?? ""
            var kind: ValueKind?
            if let known = kinds[declared] {
                kind = known
            } else {
                kind = ValueKindMapping.sqlite(declaredType: declared)
                kinds[declared] = kind
            }
            // A view's computed column has no declared type: it holds any value, read as
            // stored (reported as text) instead of being dropped.
            if declared.isEmpty, tables[table]?.isView == true { kind = .string }
            let pk = row[6].catalogInt ?? 0
            if pk > 0 { pkPositions[table, default: []].append((pk, name)) }
            tables[table]?.columns.append(
                ColumnDescription(
                    name: name, declaredType: declared, kind: kind,
                    isNullable: !row[4].catalogBool, defaultValue: row[5].catalogString, isGenerated: hidden >= 2))
            if let labels = checkEnums[table]?[name], kind == .string, let i = tables[table]?.columns.indices.last {
                tables[table]?.columns[i].enumValues = labels
            }
        }
        for (table, positions) in pkPositions {
            let pk = positions.sorted { $0.0 < $1.0 }.map(\.1)
            tables[table]?.primaryKey = pk
            // A single INTEGER PRIMARY KEY of a rowid table aliases the rowid: generated on insert.
            if pk.count == 1, !withoutRowid.contains(table), tables[table]?.isView == false,
                let i = tables[table]?.columns.firstIndex(where: { $0.name == pk[0] }),
                tables[table]?.columns[i].declaredType.uppercased() == "INTEGER"
            {
                tables[table]?.columns[i].isAutoIncrement = true
                tables[table]?.columns[i].isNullable = false
            }
        }

        try await readForeignKeys(master: master, user: user, schema: s, into: &tables)
        try await readUniqueIndexes(master: master, user: user, schema: s, into: &tables)
        for (name, t) in tables { result.tables[result.key(schema: s, name: name)] = t }
    }

    private func readForeignKeys(
        master: String, user: String, schema s: String, into tables: inout [String: TableDescription]
    ) async throws {
        let rows = try await connection.execute(
            "SELECT m.name, f.id, f.seq, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete FROM \(master)"
                + " JOIN pragma_foreign_key_list(m.name, \(connection.dialect.placeholder(0))) AS f"
                + " WHERE m.type = 'table' AND \(user) ORDER BY m.name, f.id, f.seq",
            [.string(s)]
        ).rows
        // SQLite resolves the referenced table name case-insensitively.
        var byLowerName: [String: String] = [:]
        for name in tables.keys { byLowerName[name.lowercased()] = name }
        var current: (table: String, id: Int64, fk: ForeignKeyDescription)?
        var targetColumnsMissing = false
        func flush() {
            guard let c = current else { return }
            var fk = c.fk
            if targetColumnsMissing { fk.referencedColumns = tables[fk.referencedTable]?.primaryKey ?? [] }
            tables[c.table]?.foreignKeys.append(fk)
            current = nil
            targetColumnsMissing = false
        }
        for row in rows {
            guard let table = row[0].catalogString, let id = row[1].catalogInt,
                let target = row[3].catalogString, let from = row[4].catalogString
            else { continue }
            if current?.table != table || current?.id != id {
                flush()
                let resolved = byLowerName[target.lowercased()] ?? target
                current = (
                    table, id,
                    ForeignKeyDescription(
                        name: nil, columns: [], referencedSchema: s, referencedTable: resolved, referencedColumns: [],
                        onDelete: ReferentialAction(sqlName: row[7].catalogString ?? ""),
                        onUpdate: ReferentialAction(sqlName: row[6].catalogString ?? ""))
                )
            }
            current?.fk.columns.append(from)
            if let to = row[5].catalogString {
                current?.fk.referencedColumns.append(to)
            } else {
                targetColumnsMissing = true
            }
        }
        flush()
        for name in tables.keys {
            tables[name]?.foreignKeys.sort { $0.columns.lexicographicallyPrecedes($1.columns) }
        }
    }

    private func readUniqueIndexes(
        master: String, user: String, schema s: String, into tables: inout [String: TableDescription]
    ) async throws {
        let p = connection.dialect.placeholder(0)
        let rows = try await connection.execute(
            "SELECT m.name, il.name, ii.seqno, ii.name FROM \(master)"
                + " JOIN pragma_index_list(m.name, \(p)) AS il JOIN pragma_index_info(il.name, \(p)) AS ii"
                + " WHERE m.type = 'table' AND \(user) AND il.\"unique\" = 1 AND il.origin <> 'pk' AND il.partial = 0"
                + " ORDER BY m.name, il.name, ii.seqno",
            [.string(s)]
        ).rows
        var indexes: [String: [String: [String?]]] = [:]
        var order: [(String, String)] = []
        for row in rows {
            guard let table = row[0].catalogString, let index = row[1].catalogString else { continue }
            if indexes[table]?[index] == nil { order.append((table, index)) }
            indexes[table, default: [:]][index, default: []].append(row[3].catalogString)
        }
        for (table, index) in order {
            // Expression columns have no name: such an index is not a plain-column key.
            guard let cols = indexes[table]?[index], !cols.contains(nil) else { continue }
            tables[table]?.uniqueConstraints.append(
                UniqueConstraintDescription(name: index, columns: cols.compactMap { $0 }))
        }
    }
}
