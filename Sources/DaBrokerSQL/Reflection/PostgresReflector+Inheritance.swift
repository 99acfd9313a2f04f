import DaBrokerCore

extension PostgresReflector {
    /// Partitions, inheritance children and `DO INSTEAD` rules of the reflected relations.
    struct InheritanceRead: Sendable {
        /// Partitions by partitioned table OID (their names).
        var partitions: [Int64: [String]] = [:]
        /// Old-style inheritance children: child OID → parent OID.
        var parents: [Int64: Int64] = [:]
        /// Foreign keys declared on partitions: partitioned table OID → (partition name, key).
        var partitionKeys: [Int64: [(String, ForeignKeyDescription, Int64)]] = [:]
        /// `DO INSTEAD` rules on writes, by relation OID: "name (INSERT)".
        var rules: [Int64: [String]] = [:]
    }

    /// Reads partitions (`relispartition`), inheritance children, the foreign keys declared on
    /// partitions (with column names, since a partition's column numbers may differ from its
    /// parent's) and the `DO INSTEAD` rules on INSERT, UPDATE and DELETE.
    func readInheritance(_ schemas: [String]) async throws -> InheritanceRead {
        let params = schemas.map { Value.string($0) }
        var read = InheritanceRead()
        let names = """
            (SELECT array_agg(a.attname::text ORDER BY k.o) FROM unnest(%KEY%) WITH ORDINALITY k(n, o)
               JOIN pg_attribute a ON a.attrelid = %REL% AND a.attnum = k.n)
            """
        let local = names.replacingOccurrences(of: "%KEY%", with: "con.conkey")
            .replacingOccurrences(of: "%REL%", with: "con.conrelid")
        let referenced = names.replacingOccurrences(of: "%KEY%", with: "con.confkey")
            .replacingOccurrences(of: "%REL%", with: "con.confrelid")
        for row in try await connection.execute(
            """
            SELECT i.inhparent::int8, i.inhrelid::int8, ch.relname::text, ch.relispartition, con.conname::text,
                   \(local), con.confrelid::int8, \(referenced), con.confdeltype::text, con.confupdtype::text
              FROM pg_inherits i JOIN pg_class ch ON ch.oid = i.inhrelid
              LEFT JOIN pg_constraint con ON ch.relispartition AND con.conrelid = ch.oid AND con.contype = 'f'
                   AND con.conparentid = 0
             WHERE i.inhparent IN (SELECT c.oid FROM \(relations(schemas)))
            """, params
        ).rows {
            guard let parent = row[0].catalogInt, let child = row[1].catalogInt, let name = row[2].catalogString
            else { continue }
            guard row[3].catalogBool else {
                read.parents[child] = parent
                continue
            }
            if !(read.partitions[parent]?.contains(name) ?? false) { read.partitions[parent, default: []].append(name) }
            guard let fk = row[4].catalogString, let target = row[6].catalogInt else { continue }
            let key = ForeignKeyDescription(
                name: fk, columns: (row[5].listValue ?? []).compactMap(\.catalogString), referencedSchema: "",
                referencedTable: "", referencedColumns: (row[7].listValue ?? []).compactMap(\.catalogString),
                onDelete: ReferentialAction(postgresCode: row[8].catalogString ?? "a"),
                onUpdate: ReferentialAction(postgresCode: row[9].catalogString ?? "a"))
            read.partitionKeys[parent, default: []].append((name, key, target))
        }
        for row in try await connection.execute(
            """
            SELECT r.ev_class::int8, r.rulename::text, r.ev_type::text FROM pg_rewrite r
             WHERE r.is_instead AND r.ev_type IN ('2', '3', '4')
               AND r.ev_class IN (SELECT c.oid FROM \(relations(schemas)) AND c.relkind IN ('r', 'p'))
            """, params
        ).rows {
            guard let oid = row[0].catalogInt, let name = row[1].catalogString else { continue }
            let event = ["2": "UPDATE", "3": "INSERT", "4": "DELETE"][row[2].catalogString ?? ""] ?? "?"
            read.rules[oid, default: []].append("\(name) (\(event))")
        }
        return read
    }

    /// Applies what ``readInheritance(_:)`` found: foreign keys that every partition of a
    /// partitioned table declares become the table's own; children record their parent;
    /// rules make a table read-only at most. Returns the notices.
    func apply(_ read: InheritanceRead, to rels: inout RelationSet, schema: DatabaseSchema) -> [ReflectionNotice] {
        var notices: [ReflectionNotice] = []
        for (parent, keys) in read.partitionKeys {
            guard let i = rels.index[parent], let count = read.partitions[parent]?.count else { continue }
            var groups: [String: (ForeignKeyDescription, Int64, Set<String>)] = [:]
            for (partition, key, target) in keys {
                let id = "\(key.columns)→\(target)\(key.referencedColumns)"
                var g = groups[id] ?? (key, target, [])
                if (key.name ?? "") < (g.0.name ?? "") { g.0.name = key.name }
                g.2.insert(partition)
                groups[id] = g
            }
            for (_, (key, target, partitions)) in groups.sorted(by: { $0.key < $1.key }) {
                guard partitions.count == count, let t = rels.index[target].map({ rels.list[$0] }) else { continue }
                var k = key
                k.referencedSchema = t.table.schema
                k.referencedTable = t.table.name
                if !rels.list[i].table.foreignKeys.contains(where: {
                    $0.columns == k.columns && $0.referencedTable == k.referencedTable
                }) {
                    rels.list[i].table.foreignKeys.append(k)
                }
            }
        }
        var children: [String] = []
        for (child, parent) in read.parents {
            guard let c = rels.index[child], let p = rels.index[parent] else { continue }
            rels.list[c].table.inheritsFrom = schema.key(of: rels.list[p].table)
            children.append("\(schema.key(of: rels.list[c].table)) (of \(schema.key(of: rels.list[p].table)))")
        }
        var partitions: [String] = []
        for (parent, names) in read.partitions {
            guard let p = rels.index[parent] else { continue }
            partitions.append("\(names.sorted().joined(separator: ", ")) (of \(schema.key(of: rels.list[p].table)))")
        }
        for (oid, rules) in read.rules {
            guard let i = rels.index[oid] else { continue }
            rels.list[i].table.insteadRules = rules.sorted()
            let key = schema.key(of: rels.list[i].table)
            notices.append(
                ReflectionNotice(
                    kind: .insteadRule, table: key,
                    message:
                        "\(key): writes are rewritten by DO INSTEAD rules (\(rules.sorted().joined(separator: ", "))):"
                        + " readOnly at most"))
        }
        if !partitions.isEmpty || !children.isEmpty {
            var parts: [String] = []
            if !partitions.isEmpty {
                parts.append(
                    "partitions \(partitions.sorted().joined(separator: "; ")) are served through their partitioned table"
                )
            }
            if !children.isEmpty {
                parts.append(
                    "inheritance children \(children.sorted().joined(separator: "; ")) are not exported: their parent's"
                        + " find already returns their rows; name one under `tables:` to export it")
            }
            notices.append(ReflectionNotice(kind: .inheritance, table: "", message: parts.joined(separator: "; ")))
        }
        return notices
    }
}
