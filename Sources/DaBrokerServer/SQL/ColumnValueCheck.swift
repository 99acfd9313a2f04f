import DaBrokerCore
import DaBrokerSQL
import Foundation

/// Checks and converts a client's value for a column by the column's reflected type before
/// any SQL runs, so that the database is never asked to cast a client's text (MariaDB would
/// read `'10xyz'` as 10). A value that does not fit is `InvalidValue` (or `OutOfRange`)
/// naming the table, the column, the expected type and, for enums, the allowed values.
struct ColumnValueCheck {
    /// The exported table name and the operation, for messages.
    let table: String
    let method: String
    /// The database kind: integer ranges and text lengths are not enforced on SQLite.
    let database: DatabaseKind
    /// Whether `varchar(n)` lengths are checked (for values to be written, not for filters).
    var checksLength = true

    /// `value` as the column's kind wants it, or an error naming what was expected.
    func convert(_ value: Value, _ column: ColumnDescription) throws -> Value {
        guard let kind = column.kind, value != .null else { return value }
        // A SQLite column without declared type (a view's computed column) holds any value.
        if database == .sqlite, column.declaredType.isEmpty {
            if case .list = value { throw invalid(column, expected: "a plain value") }
            if case .dict = value { throw invalid(column, expected: "a plain value") }
            return value
        }
        return try convert(value, kind: kind, column: column, declared: column.declaredType.lowercased())
    }

    private func convert(_ value: Value, kind: ValueKind, column: ColumnDescription, declared: String) throws -> Value {
        switch kind {
        case .int: return try integer(value, column, declared)
        case .double:
            if let d = Self.double(value) { return .double(d) }
        case .decimal:
            if let s = Self.decimalText(value) { return try decimal(s, column, declared) }
        case .string: return try string(value, column, declared)
        case .bool:
            if let b = Self.bool(value) { return .bool(b) }
        case .bytes:
            if case .bytes = value { return value }
        case .date:
            if case .date(let d) = value, TemporalText.valid(d) { return value }
            if case .string(let s) = value, let d = TemporalText.date(s) { return .date(d) }
        case .time:
            if case .time = value { return value }
            if case .string(let s) = value, let t = TemporalText.time(s) { return .time(t) }
        case .timestamp:
            if case .timestamp = value { return value }
            if case .string(let s) = value, let t = TemporalText.timestamp(s) { return .timestamp(t) }
        case .interval:
            if case .interval = value { return value }
        case .uuid:
            if case .uuid = value { return value }
            if case .string(let s) = value, let u = UUID(uuidString: s) { return .uuid(u) }
        case .json:
            if let text = Self.jsonText(value) { return .json(text) }
        case .list:
            return try list(value, column, declared)
        }
        throw invalid(column, expected: Self.expected(kind, column, declared))
    }

    // MARK: - Kinds

    private func integer(_ value: Value, _ column: ColumnDescription, _ declared: String) throws -> Value {
        let n: Int64?
        switch value {
        case .int(let i): n = i
        case .string(let s): n = Int64(s)
        case .decimal(let s): n = Int64(s)
        case .double(let d): n = d.rounded() == d && abs(d) < 9.2e18 ? Int64(d) : nil
        case .bool(let b): n = b ? 1 : 0
        default: n = nil
        }
        guard let n else { throw invalid(column, expected: Self.expected(.int, column, declared)) }
        if let range = Self.integerRange(declared, database), !range.contains(n) {
            throw outOfRange(column, expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return .int(n)
    }

    private func decimal(_ s: String, _ column: ColumnDescription, _ declared: String) throws -> Value {
        if database != .sqlite, let (precision, scale) = Self.precisionScale(declared) {
            let digits = s.drop { $0 == "-" || $0 == "+" }.prefix { $0 != "." && $0 != "e" && $0 != "E" }
                .drop { $0 == "0" }
            if digits.count > precision - scale {
                throw outOfRange(column, expected: "a number below 10^\(precision - scale) (\(column.declaredType))")
            }
        }
        return .decimal(s)
    }

    private func string(_ value: Value, _ column: ColumnDescription, _ declared: String) throws -> Value {
        let s: String
        switch value {
        case .string(let x): s = x
        case .int(let i): s = String(i)
        case .decimal(let x): s = x
        case .double(let d) where d.isFinite: s = "\(d)"
        case .uuid(let u): s = u.uuidString.lowercased()
        default: throw invalid(column, expected: Self.expected(.string, column, declared))
        }
        if let allowed = column.enumValues, !allowed.contains(s) {
            throw invalid(column, expected: Self.expected(.string, column, declared), allowed: allowed)
        }
        if checksLength, database != .sqlite, let max = Self.length(declared), s.count > max {
            throw outOfRange(column, expected: "text of at most \(max) characters")
        }
        return .string(s)
    }

    private func list(_ value: Value, _ column: ColumnDescription, _ declared: String) throws -> Value {
        var items: [Value]
        switch value {
        case .list(let l): items = l
        case .string(let s):
            guard let parsed = Self.jsonList(s) else { fallthrough }
            items = parsed
        default:
            throw invalid(column, expected: Self.expected(.list, column, declared))
        }
        let elementDeclared = declared.replacingOccurrences(of: "[]", with: "")
        guard let elementKind = Self.elementKind(elementDeclared) else { return .list(items) }
        var element = column
        element.enumValues = nil
        func each(_ v: Value) throws -> Value {
            if case .list(let inner) = v { return .list(try inner.map(each)) }
            if v == .null { return v }
            do {
                return try convert(v, kind: elementKind, column: element, declared: elementDeclared)
            } catch let e as BrokerError {
                throw BrokerError(
                    e.kind, e.message.replacingOccurrences(of: "a value for", with: "an element of"),
                    details: e.details)
            }
        }
        return .list(try items.map(each))
    }

    // MARK: - Errors

    private func invalid(_ column: ColumnDescription, expected: String, allowed: [String]? = nil) -> BrokerError {
        var details = ["table": table, "column": column.name, "expected": expected, "operation": method]
        var message = "\(method) on '\(table)': a value for '\(column.name)' is not valid: expected \(expected)"
        if let allowed {
            let shown = allowed.prefix(20).map { "'\($0)'" }.joined(separator: ", ")
            details["allowed"] = allowed.joined(separator: ",")
            message += ": one of \(shown)\(allowed.count > 20 ? ", …" : "")"
        }
        return BrokerError(.invalidValue, message, details: details)
    }

    private func outOfRange(_ column: ColumnDescription, expected: String) -> BrokerError {
        BrokerError(
            .outOfRange, "\(method) on '\(table)': a value for '\(column.name)' is out of range: expected \(expected)",
            details: ["table": table, "column": column.name, "expected": expected, "operation": method])
    }

    // MARK: - Helpers

    static func expected(_ kind: ValueKind, _ column: ColumnDescription, _ declared: String) -> String {
        let type = column.declaredType.isEmpty ? "" : " (\(column.declaredType))"
        switch kind {
        case .int: return "an integer" + type
        case .double: return "a number" + type
        case .decimal: return "a decimal number" + type
        case .string: return column.enumValues == nil ? "text" + type : "a label of the enum" + type
        case .bool: return "true or false"
        case .bytes: return "bytes (a bin value)"
        case .date: return "a date (YYYY-MM-DD)"
        case .time: return "a time (HH:MM:SS)"
        case .timestamp: return "a timestamp (YYYY-MM-DD HH:MM:SS[+HH:MM])"
        case .interval: return "an interval"
        case .uuid: return "a UUID"
        case .json: return "JSON (a list, a dict, or JSON text)"
        case .list: return "a list" + type
        }
    }

    static func integerRange(_ d: String, _ database: DatabaseKind) -> ClosedRange<Int64>? {
        guard database != .sqlite else { return nil }
        let unsigned = d.contains("unsigned")
        if d.hasPrefix("tinyint") { return unsigned ? 0...255 : -128...127 }
        if d.hasPrefix("smallint") || d == "int2" { return unsigned ? 0...65535 : -32768...32767 }
        if d.hasPrefix("mediumint") { return unsigned ? 0...16_777_215 : -8_388_608...8_388_607 }
        if d.hasPrefix("bigint") || d == "int8" { return unsigned ? 0...Int64.max : nil }
        if d.hasPrefix("year") { return 0...2155 }
        if d.hasPrefix("int") || d == "serial" || d == "int4" {
            return unsigned ? 0...4_294_967_295 : -2_147_483_648...2_147_483_647
        }
        return nil
    }

    /// `numeric(p,s)` / `decimal(p,s)` → (p, s).
    static func precisionScale(_ d: String) -> (Int, Int)? {
        guard d.hasPrefix("numeric(") || d.hasPrefix("decimal("), let close = d.firstIndex(of: ")") else { return nil }
        let inner = d[d.index(after: d.firstIndex(of: "(") ?? d.startIndex)..<close].split(separator: ",")
        guard let p = inner.first.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else { return nil }
        let s = inner.dropFirst().first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        return (p, s)
    }

    /// The length limit of `varchar(n)`, `character varying(n)`, `char(n)`, `character(n)`.
    static func length(_ d: String) -> Int? {
        guard
            d.hasPrefix("varchar(") || d.hasPrefix("character varying(") || d.hasPrefix("char(")
                || d.hasPrefix("character("),
            let open = d.firstIndex(of: "("), let close = d.firstIndex(of: ")")
        else { return nil }
        return Int(d[d.index(after: open)..<close])
    }

    /// The kind of a PostgreSQL array's elements, from the element's declared type.
    static func elementKind(_ d: String) -> ValueKind? {
        switch d {
        case "smallint", "integer", "bigint": return .int
        case "real", "double precision": return .double
        case "boolean": return .bool
        case "text", "name": return .string
        case "date": return .date
        case "uuid": return .uuid
        case "json", "jsonb": return .json
        case "bytea": return .bytes
        default:
            if d.hasPrefix("numeric") { return .decimal }
            if d.hasPrefix("character") || d.hasPrefix("varchar") { return .string }
            if d.hasPrefix("timestamp") { return .timestamp }
            if d.hasPrefix("time") { return .time }
            return nil
        }
    }

    static func double(_ v: Value) -> Double? {
        switch v {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .decimal(let s), .string(let s): return Double(s)
        default: return nil
        }
    }

    static func bool(_ v: Value) -> Bool? {
        switch v {
        case .bool(let b): return b
        case .int(0): return false
        case .int(1): return true
        case .string(let s):
            switch s.lowercased() {
            case "true", "t", "1", "yes": return true
            case "false", "f", "0", "no": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// The exact decimal text of a number (or of a string holding one).
    static func decimalText(_ v: Value) -> String? {
        switch v {
        case .int(let i): return String(i)
        case .double(let d) where d.isFinite: return "\(d)"
        case .decimal(let s), .string(let s): return isDecimal(s) ? s : nil
        default: return nil
        }
    }

    static func isDecimal(_ s: String) -> Bool {
        var chars = Substring(s)
        if chars.first == "-" || chars.first == "+" { chars = chars.dropFirst() }
        let mantissa = chars.prefix { $0 != "e" && $0 != "E" }
        let exponent = chars.dropFirst(mantissa.count)
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.contains(where: { !$0.isEmpty }),
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return false }
        if exponent.isEmpty { return true }
        var e = exponent.dropFirst()
        if e.first == "-" || e.first == "+" { e = e.dropFirst() }
        return !e.isEmpty && e.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// JSON text for a json column: valid JSON text as it is, a list or dict serialized.
    static func jsonText(_ v: Value) -> String? {
        switch v {
        case .json(let s), .string(let s): return isJSON(s) ? s : nil
        case .list, .dict, .int, .double, .bool, .decimal:
            guard let any = plain(v),
                let data = try? JSONSerialization.data(withJSONObject: any, options: [.fragmentsAllowed, .sortedKeys])
            else { return nil }
            return String(decoding: data, as: UTF8.self)
        default: return nil
        }
    }

    static func isJSON(_ s: String) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(s.utf8), options: [.fragmentsAllowed])) != nil
    }

    /// The elements of a JSON array text (`'["a","b"]'`), as values (read by the wire codec,
    /// which takes a bare JSON array as a list).
    static func jsonList(_ s: String) -> [Value]? {
        guard s.hasPrefix("["), case .list(let items)? = try? JSONCodec().decode(value: Array(s.utf8)) else {
            return nil
        }
        return items
    }

    /// A plain Foundation object for JSON serialization (scalars, lists, dicts only).
    private static func plain(_ v: Value) -> Any? {
        switch v {
        case .null: return NSNull()
        case .bool(let b): return b
        case .int(let i): return i
        case .double(let d): return d.isFinite ? d : nil
        case .decimal(let s): return Decimal(string: s).map { NSDecimalNumber(decimal: $0) }
        case .string(let s): return s
        case .list(let l):
            let items = l.map(plain)
            return items.contains { $0 == nil } ? nil : items.compactMap { $0 }
        case .dict(let d):
            var out: [String: Any] = [:]
            for (k, x) in d {
                guard let p = plain(x) else { return nil }
                out[k] = p
            }
            return out
        default: return nil
        }
    }
}
