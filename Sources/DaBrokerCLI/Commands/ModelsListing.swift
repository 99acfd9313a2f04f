import Foundation

/// Formats an export plan for `dabroker models`.
enum ModelsListing {
    /// Stable JSON: keys sorted, tables in name order.
    static func json(_ plan: ExportPlan) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(plan), let text = String(data: data, encoding: .utf8) else {
            return "{}\n"
        }
        return text + "\n"
    }

    /// A readable listing, one block per table.
    static func table(_ plan: ExportPlan) -> String {
        var out = "\(plan.tables.count) tables exported from \(plan.database)\n"
        for t in plan.tables {
            out += "\n\(t.name)  [\(t.mode.rawValue)\(t.isView ? ", view" : "")]  key: "
            out += t.primaryKey.isEmpty ? "none" : "(" + t.primaryKey.joined(separator: ", ") + ")"
            out += "\n"
            let names = t.fields.map(\.name) + t.refs.map(\.name) + t.backrefs.map(\.name)
            let width = max(8, names.map(\.count).max() ?? 8)
            // Pads, never cuts: a long name widens the column.
            func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
            for f in t.fields {
                var notes: [String] = []
                if f.nullable { notes.append("nullable") }
                if let d = f.default { notes.append("default \(d)") }
                if !f.writable { notes.append("read-only") }
                if let labels = f.enumValues {
                    notes.append("one of " + labels.map { "'\($0)'" }.joined(separator: ", "))
                }
                let extra = notes.isEmpty ? "" : ", " + notes.joined(separator: ", ")
                out += "  field    \(pad(f.name))  \(f.type) → \(f.kind)\(extra)\n"
            }
            for r in t.refs {
                out += "  ref      \(pad(r.name))  → \(r.target) (\(r.columns.joined(separator: ", ")))\n"
            }
            for b in t.backrefs {
                out += "  backref  \(pad(b.name))  ← \(b.source) (\(b.columns.joined(separator: ", ")))\n"
            }
            if !t.hidden.isEmpty { out += "  hidden   \(t.hidden.joined(separator: ", "))\n" }
            for n in t.notices { out += "  notice   \(n)\n" }
        }
        if !plan.notices.isEmpty {
            out += "\nnotices:\n"
            for n in plan.notices { out += "  \(n)\n" }
        }
        return out
    }
}
