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
    let connections: CatalogConnections
    let options: ReflectionOptions
    var connection: any DatabaseConnection { connections.primary }

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
    func relations(_ schemas: [String], join: String = "") -> String {
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
    struct Relation: Sendable {
        var oid: Int64
        var table: TableDescription
        /// Column names by column number (`attnum`), for keys.
        var names = ColumnNames()
    }

    /// Column names by column number.
    struct ColumnNames: Sendable {
        private var byNumber: [String?] = []

        /// The name of column `number` (`nil` if unknown).
        subscript(_ number: Value) -> String? {
            guard let n = number.catalogInt, n >= 0, n < byNumber.count else { return nil }
            return byNumber[Int(n)]
        }

        /// Records the name of column `number` (1…1664).
        mutating func set(_ name: String, number: Int) {
            if byNumber.count <= number { byNumber += Array(repeating: nil, count: number + 1 - byNumber.count) }
            byNumber[number] = name
        }
    }

    /// The relations, by OID and in an array for in-place updates.
    struct RelationSet: Sendable {
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
        let (columns, keys) = try await connections.both(
            { try await readColumns(on: $0, schemas) }, { try await readRelationsAndKeys(on: $0, schemas) })
        var rels = keys.relations
        var sums = [keys.relationSum, columns.attributeSum, columns.defaultAndCommentSum, XminSum()]
        sums[2].count += keys.commentSum.count
        sums[2].sum &+= keys.commentSum.sum
        for i in rels.list.indices {
            guard let read = columns.byRelation[rels.list[i].oid] else { continue }
            rels.list[i].names = read.names
            rels.list[i].table.columns = read.columns
        }
        sums[3] = assembleKeys(keys.keyRows, outside: keys.outside, into: &rels)
        result.notices += apply(try await readInheritance(schemas), to: &rels, schema: result)
        result.fingerprint = "postgres:" + sums.map(\.text).joined(separator: ":")
        result.tables.reserveCapacity(rels.list.count)
        for r in rels.list { result.tables[result.key(of: r.table)] = r.table }
        return result
    }

    /// Primary keys, unique constraints and foreign keys from the key rows (one per
    /// constraint or plain unique index, with its column numbers); returns their `xmin` sum.
    private func assembleKeys(_ rows: [Row], outside: [Int64: Relation], into rels: inout RelationSet) -> XminSum {
        var sum = XminSum()
        for row in rows {
            sum.add(row[8])
            guard let oid = row[0].catalogInt, let i = rels.index[oid], let name = row[1].catalogString,
                let type = row[2].catalogString
            else { continue }
            let own = rels.list[i]
            let columns = (row[3].listValue ?? []).compactMap { own.names[$0] }
            switch type {
            case "p":
                rels.list[i].table.primaryKey = columns
            case "f":
                let targetOID = row[5].catalogInt ?? 0
                guard let target = rels.index[targetOID].map({ rels.list[$0] }) ?? outside[targetOID] else { continue }
                rels.list[i].table.foreignKeys.append(
                    ForeignKeyDescription(
                        name: name, columns: columns, referencedSchema: target.table.schema,
                        referencedTable: target.table.name,
                        referencedColumns: (row[4].listValue ?? []).compactMap { target.names[$0] },
                        onDelete: ReferentialAction(postgresCode: row[6].catalogString ?? "a"),
                        onUpdate: ReferentialAction(postgresCode: row[7].catalogString ?? "a")))
            default:
                rels.list[i].table.uniqueConstraints.append(UniqueConstraintDescription(name: name, columns: columns))
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
}

extension Value {
    /// The elements of a list value (`nil` otherwise).
    var listValue: [Value]? {
        if case .list(let items) = self { return items }
        return nil
    }
}
