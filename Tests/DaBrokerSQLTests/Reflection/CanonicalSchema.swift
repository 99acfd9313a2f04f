import DaBrokerSQL

/// A database-neutral rendering of a reflected model for comparisons across databases:
/// names lower-cased with `_` removed ("modulo naming case"), declared types and flags that
/// differ between databases for the same script (SQLite's rowid alias auto-increment) left
/// out.
enum CanonicalSchema {
    static func normalise(_ name: String) -> String {
        name.lowercased().replacingOccurrences(of: "_", with: "")
    }

    static func lines(_ model: ReflectedModel) -> [String] {
        var out: [String] = []
        for key in model.tables.keys.sorted(by: { normalise($0) < normalise($1) }) {
            guard let t = model.tables[key] else { continue }
            let n = normalise
            out.append("table \(n(key)) pk(\(t.table.primaryKey.map(n).joined(separator: ",")))")
            for c in t.table.columns {
                out.append("  col \(n(c.name)) \(c.kind?.rawValue ?? "unmapped")\(c.isNullable ? " null" : "")")
            }
            for r in t.refs.sorted(by: { n($0.name) < n($1.name) }) {
                out.append(
                    "  ref \(n(r.name)) (\(r.foreignKey.columns.map(n).joined(separator: ","))) -> \(n(r.target))"
                        + "(\(r.foreignKey.referencedColumns.map(n).joined(separator: ",")))")
            }
            for b in t.backrefs.sorted(by: { n($0.name) < n($1.name) }) {
                out.append(
                    "  backref \(n(b.name)) <- \(n(b.source))(\(b.foreignKey.columns.map(n).joined(separator: ",")))"
                        + " ref \(n(b.refName))")
            }
        }
        return out
    }
}
