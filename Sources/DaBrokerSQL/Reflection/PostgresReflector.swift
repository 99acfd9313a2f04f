import DaBrokerCore

/// Reflects PostgreSQL from `pg_catalog`: one query each for tables, columns, and keys
/// (`pg_constraint` with `unnest(conkey, confkey) WITH ORDINALITY`, plus plain unique
/// indexes), over every selected schema at once. The fingerprint is an MD5 over the relevant
/// columns of `pg_class`, `pg_attribute`, `pg_constraint`, `pg_attrdef` and `pg_description`.
struct PostgresReflector {
    let connection: any DatabaseConnection
    let options: ReflectionOptions

    static let relkinds = "('r', 'p', 'v', 'm', 'f')"

    /// The default schema (`current_schema()`) and the schemas to read.
    func schemas() async throws -> (defaultSchema: String, included: [String]) {
        let rows = try await connection.execute(
            "SELECT n.nspname, current_schema() FROM pg_namespace n ORDER BY n.nspname"
        ).rows
        let current = rows.first?[1].catalogString ?? "public"
        let names = rows.compactMap { $0[0].catalogString }
        let included = names.filter { name in
            let system =
                name == "pg_catalog" || name == "information_schema" || name.hasPrefix("pg_toast")
                || name.hasPrefix("pg_temp")
            return options.includes(name, isDefault: !system)
        }
        return (current, included)
    }

    private func inList(_ schemas: [String]) -> String {
        SchemaReflector.placeholders(connection.dialect, count: schemas.count)
    }

    func fingerprint(schemas: [String]) async throws -> String {
        guard !schemas.isEmpty else { return "postgres:empty" }
        let inSchemas = inList(schemas)
        let rel =
            "JOIN pg_class c ON c.oid = %@ JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname IN \(inSchemas)"
        func join(_ oid: String) -> String { rel.replacingOccurrences(of: "%@", with: oid) }
        let sql = """
            SELECT md5(coalesce(string_agg(x, '|' ORDER BY x), '')) FROM (
              SELECT c.oid::text || ':' || c.relname || ':' || c.relkind::text || ':' || c.relnatts
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname IN \(inSchemas)
              UNION ALL
              SELECT a.attrelid || ':' || a.attnum || ':' || a.attname || ':' || a.atttypid || ':' || a.atttypmod
                  || ':' || a.attnotnull || ':' || a.atthasdef || ':' || a.attisdropped || ':' || a.attidentity::text
                  || ':' || a.attgenerated::text
                FROM pg_attribute a \(join("a.attrelid")) WHERE a.attnum > 0
              UNION ALL
              SELECT con.oid || ':' || con.conname || ':' || con.contype::text || ':' || con.conrelid || ':'
                  || con.confrelid || ':' || con.confdeltype::text || con.confupdtype::text
                FROM pg_constraint con \(join("con.conrelid"))
              UNION ALL
              SELECT ad.oid || ':' || ad.adrelid || ':' || ad.adnum FROM pg_attrdef ad \(join("ad.adrelid"))
              UNION ALL
              SELECT d.objoid || ':' || d.objsubid || ':' || md5(d.description)
                FROM pg_description d \(join("d.objoid")) WHERE d.classoid = 'pg_class'::regclass
            ) s(x)
            """
        let rows = try await connection.execute(sql, schemas.map { .string($0) }).rows
        return "postgres:" + (rows.first?[0].catalogString ?? "")
    }

    func reflect() async throws -> DatabaseSchema {
        let (defaultSchema, schemas) = try await schemas()
        var result = DatabaseSchema(databaseKind: .postgres, defaultSchema: defaultSchema)
        result.fingerprint = try await fingerprint(schemas: schemas)
        guard !schemas.isEmpty else { return result }
        let params = schemas.map { Value.string($0) }
        let inSchemas = inList(schemas)
        let tableFilter =
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN \(Self.relkinds)"
            + " AND NOT c.relispartition AND n.nspname IN \(inSchemas)"

        var tables: [Int64: TableDescription] = [:]
        let tableRows = try await connection.execute(
            """
            SELECT c.oid::int8, n.nspname, c.relname, c.relkind::text, d.description FROM pg_class c
              LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
              \(tableFilter)
            """, params
        ).rows
        for row in tableRows {
            guard let oid = row[0].catalogInt, let schema = row[1].catalogString, let name = row[2].catalogString
            else { continue }
            let kind = row[3].catalogString ?? "r"
            tables[oid] = TableDescription(
                schema: schema, name: name, isView: kind == "v" || kind == "m", comment: row[4].catalogString)
        }

        let columnRows = try await connection.execute(
            """
            SELECT a.attrelid::int8, a.attname, format_type(a.atttypid, a.atttypmod), bt.typname, bt.typtype::text,
                   et.typname, et.typtype::text, a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid),
                   a.attidentity::text, a.attgenerated::text, d.description
              FROM pg_attribute a
              JOIN pg_class c ON c.oid = a.attrelid
              JOIN pg_type t ON t.oid = a.atttypid
              JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
              LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
              LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
              LEFT JOIN pg_description d
                ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
              \(tableFilter) AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attrelid, a.attnum
            """, params
        ).rows
        for row in columnRows {
            guard let oid = row[0].catalogInt, tables[oid] != nil, let name = row[1].catalogString else { continue }
            let defaultValue = row[8].catalogString
            let identity = row[9].catalogString ?? ""
            let kind = ValueKindMapping.postgres(
                typeName: row[3].catalogString ?? "", typeType: row[4].catalogString ?? "b",
                elementTypeName: row[5].catalogString, elementTypeType: row[6].catalogString ?? "b")
            tables[oid]?.columns.append(
                ColumnDescription(
                    name: name, declaredType: row[2].catalogString ?? "", kind: kind, isNullable: !row[7].catalogBool,
                    defaultValue: defaultValue,
                    isAutoIncrement: identity == "a" || identity == "d" || defaultValue?.hasPrefix("nextval(") == true,
                    isGenerated: (row[10].catalogString ?? "") == "s", comment: row[11].catalogString))
        }

        try await readKeys(tableFilter: tableFilter, params: params, into: &tables)
        for t in tables.values { result.tables[result.key(of: t)] = t }
        return result
    }

    /// Primary keys, unique constraints, foreign keys and plain unique indexes in one query.
    private func readKeys(tableFilter: String, params: [Value], into tables: inout [Int64: TableDescription])
        async throws
    {
        let rows = try await connection.execute(
            """
            SELECT con.conrelid::int8, con.conname::text, con.contype::text, k.ord, a.attname::text,
                   fn.nspname::text, fc.relname::text, fa.attname::text, con.confdeltype::text, con.confupdtype::text
              FROM pg_constraint con
              JOIN pg_class c ON c.oid = con.conrelid
              CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, fattnum, ord)
              JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
              LEFT JOIN pg_class fc ON fc.oid = con.confrelid
              LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
              LEFT JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.fattnum
              \(tableFilter) AND con.contype IN ('p', 'u', 'f') AND con.conparentid = 0
            UNION ALL
            SELECT i.indrelid::int8, ic.relname::text, 'i', k.ord, a.attname::text, NULL, NULL, NULL, NULL, NULL
              FROM pg_index i
              JOIN pg_class c ON c.oid = i.indrelid
              JOIN pg_class ic ON ic.oid = i.indexrelid
              CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              \(tableFilter) AND i.indisunique AND NOT i.indisprimary AND i.indpred IS NULL
                AND i.indexprs IS NULL AND k.ord <= i.indnkeyatts
                AND NOT EXISTS (SELECT 1 FROM pg_constraint x
                                 WHERE x.conindid = i.indexrelid AND x.conrelid = i.indrelid AND x.contype IN ('p', 'u'))
             ORDER BY 1, 3, 2, 4
            """, params
        ).rows
        var current: (oid: Int64, name: String, type: String)?
        var columns: [String] = []
        var fk: ForeignKeyDescription?
        func flush() {
            guard let c = current else { return }
            switch c.type {
            case "p": tables[c.oid]?.primaryKey = columns
            case "f":
                if var f = fk {
                    f.columns = columns
                    tables[c.oid]?.foreignKeys.append(f)
                }
            default:
                tables[c.oid]?.uniqueConstraints.append(UniqueConstraintDescription(name: c.name, columns: columns))
            }
            current = nil
            columns = []
            fk = nil
        }
        for row in rows {
            guard let oid = row[0].catalogInt, let name = row[1].catalogString, let type = row[2].catalogString,
                let column = row[4].catalogString
            else { continue }
            if current?.oid != oid || current?.name != name || current?.type != type {
                flush()
                current = (oid, name, type)
                if type == "f" {
                    fk = ForeignKeyDescription(
                        name: name, columns: [], referencedSchema: row[5].catalogString ?? "",
                        referencedTable: row[6].catalogString ?? "", referencedColumns: [],
                        onDelete: ReferentialAction(postgresCode: row[8].catalogString ?? "a"),
                        onUpdate: ReferentialAction(postgresCode: row[9].catalogString ?? "a"))
                }
            }
            columns.append(column)
            if let target = row[7].catalogString { fk?.referencedColumns.append(target) }
        }
        flush()
        for oid in tables.keys {
            tables[oid]?.foreignKeys.sort { $0.columns.lexicographicallyPrecedes($1.columns) }
        }
    }
}
