import DaBrokerCore
import Foundation

/// Renders values as the REST face's plain JSON: decimals as strings (exact), timestamps and
/// dates as RFC 3339 / ISO 8601 text, bytes base64, arrays and json as JSON, uuids as text.
/// Refs and objects are turned into URLs before they get here (``RESTRows``).
enum RESTJSON {
    static func object(_ pairs: [(String, Value)]) -> [UInt8] {
        var out: [UInt8] = []
        writeObject(pairs, into: &out)
        return out
    }

    static func render(_ value: Value) -> [UInt8] {
        var out: [UInt8] = []
        write(value, into: &out)
        return out
    }

    static func write(_ v: Value, into out: inout [UInt8]) {
        switch v {
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .int(let i): out += String(i).utf8
        case .double(let d): out += (d.isFinite ? "\(d)" : "null").utf8
        case .decimal(let s), .string(let s): quote(s, into: &out)
        case .bytes(let b): quote(Base64.string(b), into: &out)
        case .date, .time, .uuid: quote(v.written, into: &out)
        case .timestamp(let t): quote(rfc3339(t), into: &out)
        case .interval(let i):
            quote("P\(i.months)M\(i.days)DT\(Double(i.microseconds) / 1_000_000)S", into: &out)
        case .json(let text): out += text.utf8
        case .list(let items):
            out.append(UInt8(ascii: "["))
            for (n, item) in items.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dict(let d): writeObject(d.map { ($0.key, $0.value) }, into: &out)
        case .ref(let r): quote("\(r.key)", into: &out)
        case .object(let o): writeObject(o.fields.map { ($0.key, $0.value) }, into: &out)
        case .info(let i): quote(i.info.name, into: &out)
        }
    }

    /// `2024-05-01T12:00:00Z`-style text: `T` between date and time, the offset when the
    /// value has one (`timestamp without time zone` has none).
    static func rfc3339(_ t: TimestampValue) -> String {
        let text = Value.timestamp(t).written
        return text.replacingOccurrences(of: " ", with: "T")
    }

    static func writeObject(_ pairs: [(String, Value)], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (n, (k, v)) in pairs.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            quote(k, into: &out)
            out.append(UInt8(ascii: ":"))
            write(v, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    static func quote(_ s: String, into out: inout [UInt8]) { JSONString.append(s, to: &out) }
}
