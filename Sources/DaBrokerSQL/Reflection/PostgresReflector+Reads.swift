import DaBrokerCore

/// The catalog reads of ``PostgresReflector``, in two independent halves that can run on two
/// connections side by side: columns (with defaults, comments and types) and relations with
/// their keys.
extension PostgresReflector {
    /// The columns of every relation, by relation OID.
    struct ColumnsRead: Sendable {
        var byRelation: [Int64: (names: ColumnNames, columns: [ColumnDescription])] = [:]
        var attributeSum = XminSum()
        var defaultAndCommentSum = XminSum()
    }

    /// The relations (without columns), the raw key rows and the relations outside the
    /// selected schemas that foreign keys reference.
    struct KeysRead: Sendable {
        var relations = RelationSet()
        var keyRows: [Row] = []
        var outside: [Int64: Relation] = [:]
        var relationSum = XminSum()
        var commentSum = XminSum()
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
        var enumValues: [String]? = nil
    }

    /// Columns with their defaults (`pg_attrdef`) and comments (`pg_description`), then the
    /// distinct types among them: domains resolved to their base type (three levels), arrays
    /// to their element type.
    func readColumns(on connection: any DatabaseConnection, _ schemas: [String]) async throws -> ColumnsRead {
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
            """, schemas.map { .string($0) }
        ).rows
        var read = ColumnsRead()
        var pending: [Int64: [(number: Int, type: TypeKey, column: ColumnDescription)]] = [:]
        var names: [Int64: ColumnNames] = [:]
        for row in rows {
            read.attributeSum.add(row[8])
            read.defaultAndCommentSum.add(row[10])
            read.defaultAndCommentSum.add(row[12])
            guard let oid = row[0].catalogInt, let number = row[1].catalogInt, number > 0, number <= 1664,
                let name = row[2].catalogString
            else { continue }
            let type = TypeKey(oid: row[3].catalogInt ?? 0, modifier: row[4].catalogInt ?? -1)
            let identity = row[6].catalogString ?? ""
            let defaultValue = row[9].catalogString
            var column = ColumnDescription(
                name: name, declaredType: "", kind: nil, isNullable: !row[5].catalogBool, defaultValue: defaultValue,
                isAutoIncrement: identity == "a" || identity == "d" || defaultValue?.hasPrefix("nextval(") == true,
                isGenerated: (row[7].catalogString ?? "") == "s", comment: row[11].catalogString)
            column.isIdentityAlways = identity == "a"
            names[oid, default: ColumnNames()].set(name, number: Int(number))
            pending[oid, default: []].append((Int(number), type, column))
        }
        let types = try await resolveTypes(Set(pending.values.joined().map(\.type)), on: connection)
        read.byRelation.reserveCapacity(pending.count)
        for (oid, var list) in pending {
            if !list.indices.dropFirst().allSatisfy({ list[$0 - 1].number < list[$0].number }) {
                list.sort { $0.number < $1.number }
            }
            let columns = list.map { item in
                var column = item.column
                column.declaredType = types[item.type]?.declared ?? ""
                column.kind = types[item.type]?.kind
                column.enumValues = types[item.type]?.enumValues
                return column
            }
            read.byRelation[oid] = (names[oid] ?? ColumnNames(), columns)
        }
        return read
    }

    /// Resolves each distinct (type, modifier) once: its declared text and `Value` kind.
    private func resolveTypes(_ keys: Set<TypeKey>, on connection: any DatabaseConnection) async throws
        -> [TypeKey: ResolvedType]
    {
        guard !keys.isEmpty else { return [:] }
        let list = Array(keys)
        var types: [TypeKey: ResolvedType] = [:]
        for row in try await connection.execute(
            """
            SELECT x.oid::int8, x.typmod::int8, format_type(x.oid, x.typmod), bt.typname, bt.typtype::text,
                   et.typname, et.typtype::text,
                   (SELECT string_agg(e.enumlabel, E'\\x1f' ORDER BY e.enumsortorder) FROM pg_enum e
                     WHERE e.enumtypid = bt.oid)
              FROM unnest($1::text::oid[], $2::text::int4[]) AS x(oid, typmod)
              JOIN pg_type t ON t.oid = x.oid
              LEFT JOIN pg_type d1 ON t.typtype = 'd' AND d1.oid = t.typbasetype
              LEFT JOIN pg_type d2 ON d1.typtype = 'd' AND d2.oid = d1.typbasetype
              LEFT JOIN pg_type d3 ON d2.typtype = 'd' AND d3.oid = d2.typbasetype
              JOIN pg_type bt ON bt.oid = COALESCE(d3.oid, d2.oid, d1.oid, t.oid)
              LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
            """,
            [
                .string("{" + list.map { String($0.oid) }.joined(separator: ",") + "}"),
                .string("{" + list.map { String($0.modifier) }.joined(separator: ",") + "}"),
            ]
        ).rows {
            guard let oid = row[0].catalogInt, let modifier = row[1].catalogInt else { continue }
            types[TypeKey(oid: oid, modifier: modifier)] = ResolvedType(
                declared: row[2].catalogString ?? "",
                kind: ValueKindMapping.postgres(
                    typeName: row[3].catalogString ?? "", typeType: row[4].catalogString ?? "b",
                    elementTypeName: row[5].catalogString, elementTypeType: row[6].catalogString ?? "b"),
                enumValues: row[7].catalogString.map {
                    $0.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
                })
        }
        return types
    }

    /// The relations with their comments, then primary keys, unique constraints, foreign keys
    /// and plain unique indexes (one row each, with its column numbers), then the referenced
    /// relations outside the selected schemas.
    func readRelationsAndKeys(on connection: any DatabaseConnection, _ schemas: [String]) async throws -> KeysRead {
        let params = schemas.map { Value.string($0) }
        var read = KeysRead()
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
            read.relationSum.add(row[4])
            read.commentSum.add(row[6])
            guard let oid = row[0].catalogInt, let schema = row[1].catalogString, let name = row[2].catalogString
            else { continue }
            let kind = row[3].catalogString ?? "r"
            read.relations.index[oid] = read.relations.list.count
            read.relations.list.append(
                Relation(
                    oid: oid,
                    table: TableDescription(
                        schema: schema, name: name, isView: kind == "v" || kind == "m", comment: row[5].catalogString)))
        }
        read.keyRows = try await connection.execute(
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
        let outside = Set(
            read.keyRows.compactMap { $0[5].catalogInt }.filter { $0 != 0 && read.relations.index[$0] == nil })
        read.outside = try await outsideRelations(outside, on: connection)
        return read
    }

    /// Referenced relations outside the selected schemas: their names and column names, in one
    /// query.
    private func outsideRelations(_ oids: Set<Int64>, on connection: any DatabaseConnection) async throws
        -> [Int64: Relation]
    {
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
            found[
                rel,
                default: Relation(
                    oid: rel,
                    table: TableDescription(schema: row[3].catalogString ?? "", name: row[4].catalogString ?? ""))
            ].names.set(name, number: Int(number))
        }
        return found
    }
}
