/// A reflected schema turned into what the broker exports: per table, its fields, its refs
/// (name → foreign key) and its backrefs (name → referencing table and foreign key).
public struct ReflectedModel: Sendable, Hashable, Codable {
    public var schema: DatabaseSchema
    /// The tables by key (the keys of ``DatabaseSchema/tables``).
    public var tables: [String: ReflectedTable]
    /// The schema's notices plus those of naming (overrides that could not be applied,
    /// foreign keys to tables that were not reflected).
    public var notices: [ReflectionNotice]

    /// Names every ref and backref of `schema` (see ``RelationshipNamer`` and
    /// `docs/naming.md`), applying `overrides` first.
    public init(schema: DatabaseSchema, overrides: NamingOverrides = NamingOverrides()) {
        self.schema = schema
        var notices = schema.notices
        var tables: [String: ReflectedTable] = [:]
        var spaces: [String: RelationshipNamer.Namespace] = [:]
        let keys = schema.sortedKeys
        for key in keys {
            guard let t = schema.tables[key] else { continue }
            tables[key] = ReflectedTable(key: key, table: t, fields: t.columns.filter { $0.kind != nil })
            spaces[key] = RelationshipNamer.Namespace(t.columns.map(\.name) + ["_meta"])
        }

        // Refs: per table, overrides first, then automatic names in foreign-key order.
        for key in keys {
            guard let t = schema.tables[key], var space = spaces[key] else { continue }
            let fks = t.foreignKeys.sorted { Self.order($0) < Self.order($1) }
            var names: [Int: String] = [:]
            for (i, fk) in fks.enumerated() {
                guard let name = overrides.refName(table: key, foreignKey: fk) else { continue }
                if space.contains(name) {
                    notices.append(
                        ReflectionNotice(
                            kind: .namingOverride, table: key,
                            message: "\(key): ref name override '\(name)' for (\(fk.columns.joined(separator: ", ")))"
                                + " collides with a column or another ref; using the automatic name"))
                } else {
                    space.insert(name)
                    names[i] = name
                }
            }
            for (i, fk) in fks.enumerated() {
                let targetKey = schema.key(schema: fk.referencedSchema, name: fk.referencedTable)
                guard tables.index(forKey: targetKey) != nil else {
                    notices.append(
                        ReflectionNotice(
                            kind: .unresolvedForeignKey, table: key,
                            message: "\(key): foreign key (\(fk.columns.joined(separator: ", "))) references "
                                + "\(fk.referencedSchema).\(fk.referencedTable), which was not reflected; no ref"))
                    continue
                }
                let name = names[i] ?? space.claim(RelationshipNamer.refCandidates(for: fk))
                tables[key]?.refs.append(NamedRef(name: name, foreignKey: fk, target: targetKey))
            }
            spaces[key] = space
        }

        // Backrefs: per referenced table, overrides first, then automatic names ordered by
        // referencing table key and foreign-key columns.
        var incoming: [String: [(source: String, ref: NamedRef)]] = [:]
        for key in keys {
            for ref in tables[key]?.refs ?? [] { incoming[ref.target, default: []].append((key, ref)) }
        }
        for target in keys {
            guard var space = spaces[target], let list = incoming[target] else { continue }
            let sorted = list.sorted {
                ($0.source, Self.order($0.ref.foreignKey)) < ($1.source, Self.order($1.ref.foreignKey))
            }
            var names: [Int: String] = [:]
            for (i, item) in sorted.enumerated() {
                guard
                    let name = overrides.backrefName(
                        table: target, referencingTable: item.source, foreignKey: item.ref.foreignKey)
                else { continue }
                if space.contains(name) {
                    notices.append(
                        ReflectionNotice(
                            kind: .namingOverride, table: target,
                            message: "\(target): backref name override '\(name)' for \(item.source)"
                                + "(\(item.ref.foreignKey.columns.joined(separator: ", "))) collides with a column,"
                                + " ref or backref; using the automatic name"))
                } else {
                    space.insert(name)
                    names[i] = name
                }
            }
            var perSource: [String: Int] = [:]
            for item in sorted { perSource[item.source, default: 0] += 1 }
            for (i, item) in sorted.enumerated() {
                let sourceName = schema.tables[item.source]?.name ?? item.source
                let ambiguous = (perSource[item.source] ?? 0) > 1
                let name =
                    names[i]
                    ?? space.claim(
                        RelationshipNamer.backrefCandidates(
                            sourceTable: sourceName, foreignKey: item.ref.foreignKey, ambiguous: ambiguous))
                tables[target]?.backrefs.append(
                    NamedBackRef(
                        name: name, source: item.source, foreignKey: item.ref.foreignKey, refName: item.ref.name))
            }
            spaces[target] = space
        }
        self.tables = tables
        self.notices = notices
    }

    /// The sort key of a foreign key: its columns, then its constraint name.
    private static func order(_ fk: ForeignKeyDescription) -> String {
        fk.columns.joined(separator: "\u{1}") + "\u{2}" + (fk.name ?? "")
    }
}
