/// Names refs and backrefs deterministically and without collisions (the rule is written out
/// in `docs/naming.md`).
///
/// Within one table, fields, refs and backrefs share one namespace, compared
/// case-insensitively; `_meta` is reserved. Configured names (``NamingOverrides``) are placed
/// first; automatic names then take the first free candidate.
public enum RelationshipNamer {
    /// The column name without its id suffix: `language_id` → `language`, `SupportRepId` →
    /// `SupportRep`, `OwnerID` → `Owner`, `id` → `` (empty); names without a suffix come back
    /// unchanged (`ReportsTo`, `paid`).
    public static func strippedColumnName(_ column: String) -> String {
        let lower = column.lowercased()
        if lower == "id" { return "" }
        var base = column
        if lower.hasSuffix("_id") {
            base = String(column.dropLast(3))
        } else if column.hasSuffix("Id") || column.hasSuffix("ID"), column.count > 2 {
            let before = column[column.index(column.endIndex, offsetBy: -3)]
            guard before.isLowercase || before.isNumber else { return column }
            base = String(column.dropLast(2))
        }
        while base.hasSuffix("_") { base.removeLast() }
        return base
    }

    /// The automatic ref candidates for `foreignKey` of a table, best first; the last one is
    /// numbered (`2`, `3`, …) when all are taken.
    public static func refCandidates(for foreignKey: ForeignKeyDescription) -> [String] {
        let target = foreignKey.referencedTable
        guard foreignKey.columns.count == 1, let column = foreignKey.columns.first else {
            return [target, join([target, "by"] + foreignKey.columns)]
        }
        let stripped = strippedColumnName(column)
        if stripped.isEmpty { return [target, join([target, "ref"])] }
        if stripped == column { return [join([column, "ref"])] }
        return [stripped, join([stripped, "ref"])]
    }

    /// The automatic backref candidates on the referenced table for `foreignKey` of
    /// `sourceTable`; `ambiguous` when that table has more than one foreign key to the same
    /// target.
    public static func backrefCandidates(
        sourceTable: String, foreignKey: ForeignKeyDescription, ambiguous: Bool
    ) -> [String] {
        let label: [String]
        if foreignKey.columns.count == 1, let column = foreignKey.columns.first {
            let stripped = strippedColumnName(column)
            label = [stripped.isEmpty ? column : stripped]
        } else {
            label = foreignKey.columns
        }
        let qualified = join([sourceTable, "by"] + label)
        return ambiguous ? [qualified] : [sourceTable, qualified]
    }

    /// Joins name parts in the style of the first: `snake_case` when it contains `_` or has
    /// no upper-case letter (`reports_to` + `ref` → `reports_to_ref`), otherwise camel case
    /// (`ReportsTo` + `ref` → `ReportsToRef`).
    public static func join(_ parts: [String]) -> String {
        guard let first = parts.first else { return "" }
        let snake = first.contains("_") || !first.contains { $0.isUppercase }
        if snake { return parts.joined(separator: "_") }
        return first + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// A namespace of names compared case-insensitively.
    struct Namespace {
        private var taken: Set<String>

        init(_ names: [String]) { taken = Set(names.map { $0.lowercased() }) }

        func contains(_ name: String) -> Bool { taken.contains(name.lowercased()) }

        mutating func insert(_ name: String) { taken.insert(name.lowercased()) }

        /// Takes the first free candidate, else the last one numbered from 2.
        mutating func claim(_ candidates: [String]) -> String {
            for c in candidates where !c.isEmpty && !contains(c) {
                insert(c)
                return c
            }
            let last = candidates.last(where: { !$0.isEmpty }) ?? "ref"
            var n = 2
            while contains(last + String(n)) { n += 1 }
            insert(last + String(n))
            return last + String(n)
        }
    }
}
