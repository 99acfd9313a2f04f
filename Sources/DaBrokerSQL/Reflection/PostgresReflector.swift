import DaBrokerCore

/// Reflects PostgreSQL from `pg_catalog` over every selected schema at once, in five lean
/// queries: tables, columns (types resolved once per distinct type), defaults and comments,
/// keys (`pg_constraint` with `unnest(conkey, confkey) WITH ORDINALITY`, plus plain unique
/// indexes), and the fingerprint. Column numbers are turned into names in Swift, which keeps
/// the catalog joins cheap.
///
/// The fingerprint counts and sums the `xmin` (creating transaction) of exactly the catalog
/// rows reflection reads (`pg_class`, `pg_attribute`, `pg_attrdef`, `pg_description`,
/// `pg_constraint`, `pg_index`): a DDL statement that changes what reflection sees inserts,
/// updates or deletes such rows; data changes never do (`TRUNCATE` changes `pg_class`, which
/// only costs an unneeded reload). Reflection computes it from the rows it reads, so it costs
/// no extra query; ``fingerprint(schemas:)`` computes the same on the server.
struct PostgresReflector {
    let connection: any DatabaseConnection
    let options: ReflectionOptions

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

    /// `FROM pg_class c JOIN pg_namespace n … WHERE <c is a reflected relation>`.
    private func relations(_ schemas: [String], allKinds: Bool = false) -> String {
        "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN "
            + SchemaReflector.placeholders(connection.dialect, count: schemas.count)
            + (allKinds ? "" : " AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition")
    }

    /// The unique indexes that are not constraints (read as unique constraints).
    static let plainUniqueIndex =
        "i.indisunique AND NOT i.indisprimary AND i.indpred IS NULL AND i.indexprs IS NULL"
        + " AND NOT EXISTS (SELECT 1 FROM pg_constraint x WHERE x.conindid = i.indexrelid AND x.conrelid = i.indrelid"
        + " AND x.contype IN ('p', 'u'))"

    func fingerprint(schemas: [String]) async throws -> String {
        guard !schemas.isEmpty else { return "postgres:empty" }
        func part(_ select: String) -> String {
            "(SELECT count(*) || '/' || coalesce(sum(v), 0) FROM (\(select)) s)"
        }
        let sql = """
            WITH rel AS MATERIALIZED (SELECT c.oid, c.xmin FROM \(relations(schemas)))
            SELECT concat_ws(':', \(part("SELECT xmin::text::bigint AS v FROM rel")),
              \(part("SELECT a.xmin::text::bigint AS v FROM pg_attribute a WHERE a.attnum > 0 AND NOT a.attisdropped"
                + " AND a.attrelid IN (SELECT oid FROM rel)")),
              \(part("SELECT ad.xmin::text::bigint AS v FROM pg_attrdef ad WHERE ad.adrelid IN (SELECT oid FROM rel)"
                + " UNION ALL SELECT d.xmin::text::bigint FROM pg_description d"
                + " WHERE d.classoid = 'pg_class'::regclass AND d.objoid IN (SELECT oid FROM rel)")),
              \(part("SELECT con.xmin::text::bigint AS v FROM pg_constraint con WHERE con.contype IN ('p', 'u', 'f')"
                + " AND con.conparentid = 0 AND con.conrelid IN (SELECT oid FROM rel)"
                + " UNION ALL SELECT i.xmin::text::bigint FROM pg_index i WHERE \(Self.plainUniqueIndex)"
                + " AND i.indrelid IN (SELECT oid FROM rel)")))
            """
        let rows = try await connection.execute(sql, schemas.map { .string($0) }).rows
        return "postgres:" + (rows.first?[0].catalogString ?? "")
    }

    /// Counts and sums `xmin`s like ``fingerprint(schemas:)`` does on the server.
    struct XminSum {
        var count: Int64 = 0
        var sum: Int64 = 0
        mutating func add(_ v: Value) {
            count += 1
            sum &+= v.catalogInt ?? 0
        }
        var text: String { "\(count)/\(sum)" }
    }

    func reflect() async throws -> DatabaseSchema {
        let (defaultSchema, schemas) = try await schemas()
        var result = DatabaseSchema(databaseKind: .postgres, defaultSchema: defaultSchema)
        guard !schemas.isEmpty else {
            result.fingerprint = "postgres:empty"
            return result
        }
        var sums = [XminSum](repeating: XminSum(), count: 4)
        let params = schemas.map { Value.string($0) }

        var tables: [Int64: TableDescription] = [:]
        for row in try await connection.execute(
            "SELECT c.oid::int8, n.nspname, c.relname, c.relkind::text, c.xmin::text::int8 FROM \(relations(schemas))",
            params
        ).rows {
            sums[0].add(row[4])
            guard let oid = row[0].catalogInt, let schema = row[1].catalogString, let name = row[2].catalogString
            else { continue }
            let kind = row[3].catalogString ?? "r"
            tables[oid] = TableDescription(schema: schema, name: name, isView: kind == "v" || kind == "m")
        }

        // Columns, with each distinct (type, typmod) resolved once: domains to their base type
        // (three levels), arrays to their element type.
        let columnRows = try await connection.execute(
            """
            WITH cols AS MATERIALIZED (
              SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull, a.attidentity,
                     a.attgenerated, a.xmin
                FROM pg_attribute a WHERE a.attnum > 0 AND NOT a.attisdropped
                 AND a.attrelid IN (SELECT c.oid FROM \(relations(schemas)))),
            types AS MATERIALIZED (
              SELECT t.oid, x.atttypmod, format_type(t.oid, x.atttypmod) AS declared, bt.typname,
                     bt.typtype::text AS typtype, et.typname AS etypname, et.typtype::text AS etyptype
                FROM (SELECT DISTINCT atttypid, atttypmod FROM cols) x
                JOIN pg_type t ON t.oid = x.atttypid
                LEFT JOIN pg_type d1 ON t.typtype = 'd' AND d1.oid = t.typbasetype
                LEFT JOIN pg_type d2 ON d1.typtype = 'd' AND d2.oid = d1.typbasetype
                LEFT JOIN pg_type d3 ON d2.typtype = 'd' AND d3.oid = d2.typbasetype
                JOIN pg_type bt ON bt.oid = COALESCE(d3.oid, d2.oid, d1.oid, t.oid)
                LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A')
            SELECT a.attrelid::int8, a.attnum, a.attname, ty.declared, ty.typname, ty.typtype, ty.etypname,
                   ty.etyptype, a.attnotnull, a.attidentity::text, a.attgenerated::text, a.xmin::text::int8
              FROM cols a JOIN types ty ON ty.oid = a.atttypid AND ty.atttypmod = a.atttypmod
            """, params
        ).rows
        var attnums: [Int64: [Int64: String]] = [:]  // relation → attnum → column name
        var columns: [Int64: [(Int64, ColumnDescription)]] = [:]
        var kinds: [String: ValueKind?] = [:]  // by type description: a few distinct types
        for row in columnRows {
            sums[1].add(row[11])
            guard let oid = row[0].catalogInt, tables.index(forKey: oid) != nil, let num = row[1].catalogInt,
                let name = row[2].catalogString
            else { continue }
            let identity = row[9].catalogString ?? ""
            let typeName = row[4].catalogString ?? ""
            let typeType = row[5].catalogString ?? "b"
            let element = row[6].catalogString
            let elementType = row[7].catalogString ?? "b"
            let typeKey = typeName + "\u{0}" + typeType + "\u{0}" + (element ?? "") + "\u{0}" + elementType
            let kind: ValueKind?
            if let known = kinds[typeKey] {
                kind = known
            } else {
                kind = ValueKindMapping.postgres(
                    typeName: typeName, typeType: typeType, elementTypeName: element, elementTypeType: elementType)
                kinds[typeKey] = kind
            }
            attnums[oid, default: [:]][num] = name
            columns[oid, default: []].append(
                (
                    num,
                    ColumnDescription(
                        name: name, declaredType: row[3].catalogString ?? "", kind: kind,
                        isNullable: !row[8].catalogBool, isAutoIncrement: identity == "a" || identity == "d",
                        isGenerated: (row[10].catalogString ?? "") == "s")
                ))
        }
        for (oid, list) in columns { tables[oid]?.columns = list.sorted { $0.0 < $1.0 }.map(\.1) }

        sums[2] = try await readDefaultsAndComments(schemas, params: params, attnums: attnums, into: &tables)
        sums[3] = try await readKeys(schemas, params: params, attnums: attnums, into: &tables)
        result.fingerprint = "postgres:" + sums.map(\.text).joined(separator: ":")
        for t in tables.values { result.tables[result.key(of: t)] = t }
        return result
    }

    /// Column defaults (`pg_attrdef`) and table and column comments (`pg_description`).
    private func readDefaultsAndComments(
        _ schemas: [String], params: [Value], attnums: [Int64: [Int64: String]],
        into tables: inout [Int64: TableDescription]
    ) async throws -> XminSum {
        var sum = XminSum()
        let rows = try await connection.execute(
            """
            WITH rel AS MATERIALIZED (SELECT c.oid FROM \(relations(schemas)))
            SELECT 'd', ad.adrelid::int8, ad.adnum::int8, pg_get_expr(ad.adbin, ad.adrelid), ad.xmin::text::int8
              FROM pg_attrdef ad WHERE ad.adrelid IN (SELECT oid FROM rel)
            UNION ALL
            SELECT 'c', d.objoid::int8, d.objsubid::int8, d.description, d.xmin::text::int8 FROM pg_description d
             WHERE d.classoid = 'pg_class'::regclass AND d.objoid IN (SELECT oid FROM rel)
            """, params
        ).rows
        for row in rows {
            sum.add(row[4])
            guard let oid = row[1].catalogInt, let num = row[2].catalogInt, let text = row[3].catalogString,
                tables.index(forKey: oid) != nil
            else { continue }
            if row[0].catalogString == "c" && num == 0 {
                tables[oid]?.comment = text
                continue
            }
            guard let name = attnums[oid]?[num], let i = tables[oid]?.columns.firstIndex(where: { $0.name == name })
            else { continue }
            if row[0].catalogString == "c" {
                tables[oid]?.columns[i].comment = text
            } else {
                tables[oid]?.columns[i].defaultValue = text
                if text.hasPrefix("nextval(") { tables[oid]?.columns[i].isAutoIncrement = true }
            }
        }
        return sum
    }

    /// Primary keys, unique constraints, foreign keys and plain unique indexes in one query.
    private func readKeys(
        _ schemas: [String], params: [Value], attnums: [Int64: [Int64: String]],
        into tables: inout [Int64: TableDescription]
    ) async throws -> XminSum {
        let rows = try await connection.execute(
            """
            SELECT con.conrelid::int8, con.conname::text, con.contype::text, k.ord, k.attnum::int8, k.fattnum::int8,
                   con.confrelid::int8, con.confdeltype::text, con.confupdtype::text, con.xmin::text::int8
              FROM pg_constraint con
              CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, fattnum, ord)
             WHERE con.contype IN ('p', 'u', 'f') AND con.conparentid = 0
               AND con.conrelid IN (SELECT c.oid FROM \(relations(schemas)))
            UNION ALL
            SELECT i.indrelid::int8, ic.relname::text, 'i', k.ord, k.attnum::int8, NULL, NULL, NULL, NULL,
                   i.xmin::text::int8
              FROM pg_index i
              JOIN pg_class ic ON ic.oid = i.indexrelid
              CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
             WHERE \(Self.plainUniqueIndex)
               AND k.ord <= i.indnkeyatts AND i.indrelid IN (SELECT c.oid FROM \(relations(schemas)))
             ORDER BY 1, 2, 3, 4
            """, params
        ).rows
        // Referenced tables outside the selected schemas: their names and column names, in one
        // more query.
        let outside = Set(rows.compactMap { $0[6].catalogInt }.filter { $0 != 0 && tables.index(forKey: $0) == nil })
        var names = attnums
        var relations: [Int64: (schema: String, name: String)] = [:]
        if !outside.isEmpty {
            let ids = outside.sorted()
            for row in try await connection.execute(
                "SELECT a.attrelid::int8, a.attnum::int8, a.attname, n.nspname, c.relname FROM pg_attribute a"
                    + " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE a.attnum > 0 AND a.attrelid IN "
                    + SchemaReflector.placeholders(connection.dialect, count: ids.count),
                ids.map { .int($0) }
            ).rows {
                if let rel = row[0].catalogInt, let num = row[1].catalogInt, let name = row[2].catalogString {
                    names[rel, default: [:]][num] = name
                    relations[rel] = (row[3].catalogString ?? "", row[4].catalogString ?? "")
                }
            }
        }
        // Rows come ordered by relation, name, type and position: one run per key.
        var sum = XminSum()
        var start = 0
        while start < rows.count {
            let first = rows[start]
            var end = start + 1
            while end < rows.count, rows[end][0] == first[0], rows[end][1] == first[1], rows[end][2] == first[2] {
                end += 1
            }
            defer { start = end }
            guard let oid = first[0].catalogInt, tables.index(forKey: oid) != nil, let name = first[1].catalogString,
                let type = first[2].catalogString, let own = names[oid]
            else { continue }
            sum.add(first[9])  // one catalog row per constraint or index
            let run = rows[start..<end]
            let cols = run.compactMap { r in r[4].catalogInt.flatMap { own[$0] } }
            switch type {
            case "p":
                tables[oid]?.primaryKey = cols
            case "f":
                let targetOID = first[6].catalogInt ?? 0
                let target = names[targetOID] ?? [:]
                let relation =
                    tables.index(forKey: targetOID).map { (tables.values[$0].schema, tables.values[$0].name) }
                    ?? relations[targetOID] ?? ("", "")
                tables[oid]?.foreignKeys.append(
                    ForeignKeyDescription(
                        name: name, columns: cols, referencedSchema: relation.0, referencedTable: relation.1,
                        referencedColumns: run.compactMap { r in r[5].catalogInt.flatMap { target[$0] } },
                        onDelete: ReferentialAction(postgresCode: first[7].catalogString ?? "a"),
                        onUpdate: ReferentialAction(postgresCode: first[8].catalogString ?? "a")))
            default:
                tables[oid]?.uniqueConstraints.append(UniqueConstraintDescription(name: name, columns: cols))
            }
        }
        for oid in tables.keys {
            tables[oid]?.foreignKeys.sort { $0.columns.lexicographicallyPrecedes($1.columns) }
            tables[oid]?.uniqueConstraints.sort { $0.name < $1.name }
        }
        return sum
    }
}
