import DaBrokerCore

/// Reflects PostgreSQL from `pg_catalog` over every selected schema at once, in four lean
/// queries: relations with their comments; columns with their defaults and comments (type
/// OIDs only); the few distinct column types, resolved once each; keys (`pg_constraint`, one
/// row per constraint with its column-number arrays, plus plain unique indexes). Column
/// numbers are turned into names in Swift, which keeps the catalog joins cheap.
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

    /// `FROM pg_class c JOIN pg_namespace n <join> WHERE <c is a reflected relation>`.
    private func relations(_ schemas: [String], join: String = "") -> String {
        "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace\(join) WHERE n.nspname IN "
            + SchemaReflector.placeholders(connection.dialect, count: schemas.count)
            + " AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition"
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
            guard let x = v.catalogInt else { return }
            count += 1
            sum &+= x
        }
        var text: String { "\(count)/\(sum)" }
    }

    /// A relation while reflection assembles it.
    private struct Relation {
        var table: TableDescription
        /// Column names by column number (`attnum`), for keys.
        var names: [String?] = []
        /// Columns with their numbers and type keys, until the types are resolved.
        var pending: [(number: Int, type: TypeKey, column: ColumnDescription)] = []

        func name(_ number: Value) -> String? {
            guard let n = number.catalogInt, n >= 0, n < names.count else { return nil }
            return names[Int(n)]
        }
    }

    /// A column's type: OID and modifier.
    private struct TypeKey: Hashable {
        let oid: Int64
        let modifier: Int64
    }

    /// What reflection reads of one type: its declared text and its `Value` kind.
    private struct ResolvedType {
        let declared: String
        let kind: ValueKind?
    }

    /// The relations, by OID and in an array for in-place updates.
    private struct RelationSet {
        var list: [Relation] = []
        var index: [Int64: Int] = [:]
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

        var rels = RelationSet()
        for row in try await connection.execute(
            """
            SELECT c.oid::int8, n.nspname, c.relname, c.relkind::text, c.xmin::text::int8, d.description,
                   d.xmin::text::int8
              FROM \(relations(schemas, join: """
                 LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
                """))
            """,
            params
        ).rows {
            sums[0].add(row[4])
            sums[2].add(row[6])
            guard let oid = row[0].catalogInt, let schema = row[1].catalogString, let name = row[2].catalogString
            else { continue }
            let kind = row[3].catalogString ?? "r"
            rels.index[oid] = rels.list.count
            rels.list.append(
                Relation(
                    table: TableDescription(
                        schema: schema, name: name, isView: kind == "v" || kind == "m", comment: row[5].catalogString)))
        }

        let types = try await readColumns(schemas, params: params, into: &rels, sums: &sums)
        for i in rels.list.indices {
            var pending = rels.list[i].pending
            rels.list[i].pending = []
            if !pending.indices.dropFirst().allSatisfy({ pending[$0 - 1].number < pending[$0].number }) {
                pending.sort { $0.number < $1.number }
            }
            rels.list[i].table.columns = pending.map { item in
                var column = item.column
                column.declaredType = types[item.type]?.declared ?? ""
                column.kind = types[item.type]?.kind
                return column
            }
        }
        sums[3] = try await readKeys(schemas, params: params, into: &rels)
        result.fingerprint = "postgres:" + sums.map(\.text).joined(separator: ":")
        result.tables.reserveCapacity(rels.list.count)
        for r in rels.list { result.tables[result.key(of: r.table)] = r.table }
        return result
    }

    /// Columns with their defaults (`pg_attrdef`) and comments (`pg_description`), then the
    /// distinct types among them: domains resolved to their base type (three levels), arrays
    /// to their element type.
    private func readColumns(
        _ schemas: [String], params: [Value], into rels: inout RelationSet, sums: inout [XminSum]
    ) async throws -> [TypeKey: ResolvedType] {
        // A default needs its relation for context only when it can name columns: generated
        // columns. `pg_get_expr` opens the relation when given one, which is slow.
        let rows = try await connection.execute(
            """
            SELECT a.attrelid::int8, a.attnum::int8, a.attname, a.atttypid::int8, a.atttypmod::int8, a.attnotnull,
                   a.attidentity::text, a.attgenerated::text, a.xmin::text::int8,
                   CASE WHEN ad.adbin IS NULL THEN NULL WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, 0)
                        ELSE pg_get_expr(ad.adbin, ad.adrelid) END,
                   ad.xmin::text::int8, d.description, d.xmin::text::int8
              FROM pg_attribute a
              LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
              LEFT JOIN pg_description d
                ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
             WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attrelid IN (SELECT c.oid FROM \(relations(schemas)))
            """, params
        ).rows
        var typeKeys = Set<TypeKey>()
        for row in rows {
            sums[1].add(row[8])
            sums[2].add(row[10])
            sums[2].add(row[12])
            guard let oid = row[0].catalogInt, let i = rels.index[oid], let number = row[1].catalogInt,
                number > 0, number <= 1664, let name = row[2].catalogString
            else { continue }
            let type = TypeKey(oid: row[3].catalogInt ?? 0, modifier: row[4].catalogInt ?? -1)
            typeKeys.insert(type)
            let identity = row[6].catalogString ?? ""
            let defaultValue = row[9].catalogString
            let column = ColumnDescription(
                name: name, declaredType: "", kind: nil, isNullable: !row[5].catalogBool,
                defaultValue: defaultValue,
                isAutoIncrement: identity == "a" || identity == "d" || defaultValue?.hasPrefix("nextval(") == true,
                isGenerated: (row[7].catalogString ?? "") == "s", comment: row[11].catalogString)
            if rels.list[i].names.count <= Int(number) {
                rels.list[i].names += Array(repeating: nil, count: Int(number) + 1 - rels.list[i].names.count)
            }
            rels.list[i].names[Int(number)] = name
            rels.list[i].pending.append((Int(number), type, column))
        }
        guard !typeKeys.isEmpty else { return [:] }
        let keys = Array(typeKeys)
        var types: [TypeKey: ResolvedType] = [:]
        for row in try await connection.execute(
            """
            SELECT x.oid::int8, x.typmod::int8, format_type(x.oid, x.typmod), bt.typname, bt.typtype::text,
                   et.typname, et.typtype::text
              FROM unnest($1::text::oid[], $2::text::int4[]) AS x(oid, typmod)
              JOIN pg_type t ON t.oid = x.oid
              LEFT JOIN pg_type d1 ON t.typtype = 'd' AND d1.oid = t.typbasetype
              LEFT JOIN pg_type d2 ON d1.typtype = 'd' AND d2.oid = d1.typbasetype
              LEFT JOIN pg_type d3 ON d2.typtype = 'd' AND d3.oid = d2.typbasetype
              JOIN pg_type bt ON bt.oid = COALESCE(d3.oid, d2.oid, d1.oid, t.oid)
              LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
            """,
            [
                .string("{" + keys.map { String($0.oid) }.joined(separator: ",") + "}"),
                .string("{" + keys.map { String($0.modifier) }.joined(separator: ",") + "}"),
            ]
        ).rows {
            guard let oid = row[0].catalogInt, let modifier = row[1].catalogInt else { continue }
            types[TypeKey(oid: oid, modifier: modifier)] = ResolvedType(
                declared: row[2].catalogString ?? "",
                kind: ValueKindMapping.postgres(
                    typeName: row[3].catalogString ?? "", typeType: row[4].catalogString ?? "b",
                    elementTypeName: row[5].catalogString, elementTypeType: row[6].catalogString ?? "b"))
        }
        return types
    }

    /// Primary keys, unique constraints, foreign keys and plain unique indexes in one query,
    /// one row each with its column numbers.
    private func readKeys(_ schemas: [String], params: [Value], into rels: inout RelationSet) async throws
        -> XminSum
    {
        let rows = try await connection.execute(
            """
            SELECT con.conrelid::int8, con.conname::text, con.contype::text, con.conkey, con.confkey,
                   con.confrelid::int8, con.confdeltype::text, con.confupdtype::text, con.xmin::text::int8
              FROM pg_constraint con
             WHERE con.contype IN ('p', 'u', 'f') AND con.conparentid = 0
               AND con.conrelid IN (SELECT c.oid FROM \(relations(schemas)))
            UNION ALL
            SELECT i.indrelid::int8, ic.relname::text, 'i', (i.indkey::int2[])[0:i.indnkeyatts - 1], NULL, NULL,
                   NULL, NULL, i.xmin::text::int8
              FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
             WHERE \(Self.plainUniqueIndex) AND i.indrelid IN (SELECT c.oid FROM \(relations(schemas)))
            """, params
        ).rows
        let outside = try await outsideRelations(
            Set(rows.compactMap { $0[5].catalogInt }.filter { $0 != 0 && rels.index[$0] == nil }))
        var sum = XminSum()
        for row in rows {
            sum.add(row[8])
            guard let oid = row[0].catalogInt, let i = rels.index[oid], let name = row[1].catalogString,
                let type = row[2].catalogString
            else { continue }
            let own = rels.list[i]
            let columns = (row[3].listValue ?? []).compactMap { own.name($0) }
            switch type {
            case "p":
                rels.list[i].table.primaryKey = columns
            case "f":
                let targetOID = row[5].catalogInt ?? 0
                guard let target = rels.index[targetOID].map({ rels.list[$0] }) ?? outside[targetOID]
                else { continue }
                rels.list[i].table.foreignKeys.append(
                    ForeignKeyDescription(
                        name: name, columns: columns, referencedSchema: target.table.schema,
                        referencedTable: target.table.name,
                        referencedColumns: (row[4].listValue ?? []).compactMap { target.name($0) },
                        onDelete: ReferentialAction(postgresCode: row[6].catalogString ?? "a"),
                        onUpdate: ReferentialAction(postgresCode: row[7].catalogString ?? "a")))
            default:
                rels.list[i].table.uniqueConstraints.append(
                    UniqueConstraintDescription(name: name, columns: columns))
            }
        }
        for i in rels.list.indices {
            if rels.list[i].table.foreignKeys.count > 1 {
                rels.list[i].table.foreignKeys.sort {
                    $0.columns == $1.columns
                        ? ($0.name ?? "") < ($1.name ?? "") : $0.columns.lexicographicallyPrecedes($1.columns)
                }
            }
            if rels.list[i].table.uniqueConstraints.count > 1 {
                rels.list[i].table.uniqueConstraints.sort { $0.name < $1.name }
            }
        }
        return sum
    }

    /// Referenced relations outside the selected schemas: their names and column names, in one
    /// query.
    private func outsideRelations(_ oids: Set<Int64>) async throws -> [Int64: Relation] {
        guard !oids.isEmpty else { return [:] }
        let ids = oids.sorted()
        var found: [Int64: Relation] = [:]
        for row in try await connection.execute(
            "SELECT a.attrelid::int8, a.attnum::int8, a.attname, n.nspname, c.relname FROM pg_attribute a"
                + " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE a.attnum > 0 AND a.attrelid IN "
                + SchemaReflector.placeholders(connection.dialect, count: ids.count),
            ids.map { .int($0) }
        ).rows {
            guard let rel = row[0].catalogInt, let number = row[1].catalogInt, number > 0, number <= 1664,
                let name = row[2].catalogString
            else { continue }
            var relation =
                found[rel]
                ?? Relation(
                    table: TableDescription(schema: row[3].catalogString ?? "", name: row[4].catalogString ?? ""))
            if relation.names.count <= Int(number) {
                relation.names += Array(repeating: nil, count: Int(number) + 1 - relation.names.count)
            }
            relation.names[Int(number)] = name
            found[rel] = relation
        }
        return found
    }
}

extension Value {
    /// The elements of a list value (`nil` otherwise).
    fileprivate var listValue: [Value]? {
        if case .list(let items) = self { return items }
        return nil
    }
}
