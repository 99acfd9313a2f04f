import DaBrokerCore
import Foundation

/// Renders values as plain JSON for people and scripts (the client commands' output), as
/// opposed to the wire codec's tagged form.
///
/// Objects become `{"_key": [...], field: value, ref: {"_key": [...]}}`; dates and times
/// ISO 8601 strings (timestamps without zone have none, those with zone keep their offset,
/// both to the microsecond); decimals strings (exact); bytes base64.
enum PlainJSON {
    static func render(_ value: Value, pretty: Bool = true) -> String {
        var out = ""
        write(value, into: &out, indent: pretty ? 0 : nil)
        return out
    }

    private static func write(_ v: Value, into out: inout String, indent: Int?) {
        switch v {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? "\(d)" : "null"
        case .decimal(let s): quote(s, into: &out)
        case .string(let s): quote(s, into: &out)
        case .bytes(let b): quote(Base64.string(b), into: &out)
        case .date(let d): quote(String(format: "%04d-%02d-%02d", d.year, d.month, d.day), into: &out)
        case .time(let t):
            quote(String(format: "%02d:%02d:%02d.%06d", t.hour, t.minute, t.second, t.microsecond), into: &out)
        case .timestamp(let t): quote(t.iso8601, into: &out)
        case .interval(let i): quote("P\(i.months)M\(i.days)DT\(Double(i.microseconds) / 1_000_000)S", into: &out)
        case .uuid(let u): quote(u.uuidString.lowercased(), into: &out)
        case .json(let text): out += text
        case .list(let items):
            writeList(items, into: &out, indent: indent)
        case .dict(let d):
            writeObject(d.map { ($0.key, $0.value) }, into: &out, indent: indent)
        case .ref(let r):
            writeObject([("_key", .list(r.key.parts))], into: &out, indent: indent)
        case .object(let o):
            var pairs: [(String, Value)] = [("_key", .list(o.ref.key.parts))]
            pairs += o.fields.map { ($0.key, $0.value) }
            for (name, ref) in o.refs where name != "_meta" {
                pairs.append((name, ref.map { Value.ref($0) } ?? .null))
            }
            writeObject(pairs, into: &out, indent: indent)
        case .info(let i):
            writeObject(
                [
                    ("_key", .list(i.ref.key.parts)), ("name", .string(i.info.name)),
                    ("fields", .list(i.info.fields.keys.map { .string($0) })),
                    ("refs", .list(i.info.refs.keys.map { .string($0) })),
                    ("backrefs", .list(i.info.backrefs.keys.map { .string($0) })),
                    ("calls", .list(i.info.calls.keys.map { .string($0) })),
                ], into: &out, indent: indent)
        }
    }

    private static func writeList(_ items: [Value], into out: inout String, indent: Int?) {
        if items.isEmpty {
            out += "[]"
            return
        }
        out += "["
        for (n, item) in items.enumerated() {
            if n > 0 { out += "," }
            newline(indent.map { $0 + 1 }, into: &out)
            write(item, into: &out, indent: indent.map { $0 + 1 })
        }
        newline(indent, into: &out)
        out += "]"
    }

    private static func writeObject(_ pairs: [(String, Value)], into out: inout String, indent: Int?) {
        if pairs.isEmpty {
            out += "{}"
            return
        }
        out += "{"
        for (n, (k, v)) in pairs.enumerated() {
            if n > 0 { out += "," }
            newline(indent.map { $0 + 1 }, into: &out)
            quote(k, into: &out)
            out += indent == nil ? ":" : ": "
            write(v, into: &out, indent: indent.map { $0 + 1 })
        }
        newline(indent, into: &out)
        out += "}"
    }

    private static func newline(_ indent: Int?, into out: inout String) {
        guard let indent else { return }
        out += "\n" + String(repeating: "  ", count: indent)
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
