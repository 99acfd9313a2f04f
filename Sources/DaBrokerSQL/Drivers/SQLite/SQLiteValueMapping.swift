import CSQLite3
import DaBrokerCore
import Foundation

/// How a column's declared type refines SQLite's storage classes into `Value` cases
/// (see docs/types.md, "SQLite").
enum SQLiteColumnType: Sendable, Equatable {
    /// No refinement: INTEGER → `.int`, REAL → `.double`, TEXT → `.string`, BLOB → `.bytes`.
    case plain
    case boolean
    case date
    case time
    case timestamp
    /// DECIMAL / NUMERIC, with the scale of `(p,s)` when declared.
    case decimal(scale: Int?)
    case uuid
    case json

    /// Classifies a declared type (`sqlite3_column_decltype`); `nil` (an expression) is `.plain`.
    init(declared: String?) {
        guard let d = declared?.uppercased() else {
            self = .plain
            return
        }
        // Byte-level search: this runs for each result column of each statement, and
        // Foundation's `contains` is slow.
        let bytes = Array(d.utf8)
        func has(_ word: StaticString) -> Bool {
            let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard w.count <= bytes.count else { return false }
            return (0...(bytes.count - w.count)).contains { i in w.indices.allSatisfy { bytes[i + $0] == w[$0] } }
        }
        if has("BOOL") {
            self = .boolean
        } else if has("DATETIME") || has("TIMESTAMP") {
            self = .timestamp
        } else if has("DATE") {
            self = .date
        } else if has("TIME") {
            self = .time
        } else if has("DECIMAL") || has("NUMERIC") {
            self = .decimal(scale: Self.scale(of: d))
        } else if has("UUID") {
            self = .uuid
        } else if has("JSON") {
            self = .json
        } else {
            self = .plain
        }
    }

    /// The `s` of `NUMERIC(p,s)`, if present.
    private static func scale(of declared: String) -> Int? {
        guard let open = declared.firstIndex(of: "("), let close = declared.lastIndex(of: ")"), open < close
        else { return nil }
        let parts = declared[declared.index(after: open)..<close].split(separator: ",")
        guard parts.count == 2 else { return parts.count == 1 ? 0 : nil }
        return Int(parts[1].trimmingCharacters(in: .whitespaces))
    }
}

/// Converting between `Value`s and SQLite's parameters and result columns.
enum SQLiteValueMapping {
    /// Binds `value` to the 1-based parameter `index` of `stmt`.
    static func bind(_ value: Value, to stmt: OpaquePointer, at index: Int32) throws {
        let rc: Int32
        switch value {
        case .null:
            rc = sqlite3_bind_null(stmt, index)
        case .bool(let b):
            rc = sqlite3_bind_int64(stmt, index, b ? 1 : 0)
        case .int(let i):
            rc = sqlite3_bind_int64(stmt, index, i)
        case .double(let d):
            rc = sqlite3_bind_double(stmt, index, d)
        case .decimal(let s), .string(let s), .json(let s):
            rc = bindText(s, stmt, index)
        case .bytes(let b):
            if b.isEmpty {
                rc = sqlite3_bind_zeroblob(stmt, index, 0)
            } else {
                rc = b.withUnsafeBytes {
                    sqlite3_bind_blob(stmt, index, $0.baseAddress, Int32($0.count), dab_sqlite_transient())
                }
            }
        case .date(let d):
            rc = bindText(SQLiteTemporal.format(d), stmt, index)
        case .time(let t):
            rc = bindText(SQLiteTemporal.format(t), stmt, index)
        case .timestamp(let t):
            rc = bindText(SQLiteTemporal.format(t), stmt, index)
        case .uuid(let u):
            rc = bindText(u.uuidString.lowercased(), stmt, index)
        case .interval, .list, .dict, .ref, .object, .info:
            throw DatabaseError.sqlite(
                .parameter,
                "parameter \(index) is \(caseName(value)), which has no SQLite representation")
        }
        guard rc == SQLITE_OK else {
            throw DatabaseError.sqlite(.statement, "cannot bind parameter \(index) (\(caseName(value)))", code: rc)
        }
    }

    private static func bindText(_ s: String, _ stmt: OpaquePointer, _ index: Int32) -> Int32 {
        // An empty buffer may have no base address; "" must still bind as '' (not NULL).
        if s.isEmpty { return sqlite3_bind_text(stmt, index, "", 0, dab_sqlite_transient()) }
        var s = s
        return s.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) {
                sqlite3_bind_text(stmt, index, $0.baseAddress, Int32($0.count), dab_sqlite_transient())
            }
        }
    }

    /// Reads column `i` of the current row of `stmt` as declared by `type`.
    static func read(_ stmt: OpaquePointer, _ i: Int32, as type: SQLiteColumnType) throws -> Value {
        let storage = sqlite3_column_type(stmt, i)
        if storage == SQLITE_NULL { return .null }
        switch (type, storage) {
        case (.plain, SQLITE_INTEGER):
            return .int(sqlite3_column_int64(stmt, i))
        case (.plain, SQLITE_FLOAT):
            return .double(sqlite3_column_double(stmt, i))
        case (.plain, SQLITE_TEXT), (.json, SQLITE_TEXT):
            let s = text(stmt, i)
            return type == .json ? .json(s) : .string(s)
        case (.plain, SQLITE_BLOB):
            return .bytes(blob(stmt, i))
        case (.boolean, SQLITE_INTEGER):
            switch sqlite3_column_int64(stmt, i) {
            case 0: return .bool(false)
            case 1: return .bool(true)
            default: break
            }
        case (.boolean, SQLITE_TEXT):
            switch text(stmt, i).lowercased() {
            case "1", "t", "true": return .bool(true)
            case "0", "f", "false": return .bool(false)
            default: break
            }
        case (.date, SQLITE_TEXT):
            if let d = SQLiteTemporal.parseDate(text(stmt, i)) { return .date(d) }
        case (.time, SQLITE_TEXT):
            if let t = SQLiteTemporal.parseTime(text(stmt, i)) { return .time(t) }
        case (.timestamp, SQLITE_TEXT):
            if let t = SQLiteTemporal.parseTimestamp(text(stmt, i)) { return .timestamp(t) }
        case (.timestamp, SQLITE_INTEGER):
            return .timestamp(TimestampValue(microsecondsSinceEpoch: sqlite3_column_int64(stmt, i) * 1_000_000))
        case (.decimal(let scale), SQLITE_INTEGER):
            return .decimal(withScale(String(sqlite3_column_int64(stmt, i)), scale))
        case (.decimal(let scale), SQLITE_FLOAT):
            return .decimal(decimalString(sqlite3_column_double(stmt, i), scale: scale))
        case (.decimal, SQLITE_TEXT):
            let s = text(stmt, i).trimmingCharacters(in: .whitespaces)
            if isDecimalLiteral(s) { return .decimal(s) }
        case (.uuid, SQLITE_TEXT):
            if let u = UUID(uuidString: text(stmt, i)) { return .uuid(u) }
        case (.uuid, SQLITE_BLOB):
            let b = blob(stmt, i)
            if b.count == 16 {
                return .uuid(
                    UUID(
                        uuid: (
                            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                            b[14], b[15]
                        )))
            }
        default:
            break
        }
        throw unmapped(stmt, i, storage: storage)
    }

    /// Column `i` as stored, whatever its declared type: INTEGER, REAL, TEXT or BLOB.
    static func raw(_ stmt: OpaquePointer, _ i: Int32) -> Value {
        switch sqlite3_column_type(stmt, i) {
        case SQLITE_INTEGER: return .int(sqlite3_column_int64(stmt, i))
        case SQLITE_FLOAT: return .double(sqlite3_column_double(stmt, i))
        case SQLITE_TEXT: return .string(text(stmt, i))
        case SQLITE_BLOB: return .bytes(blob(stmt, i))
        default: return .null
        }
    }

    private static func unmapped(_ stmt: OpaquePointer, _ i: Int32, storage: Int32) -> DatabaseError {
        let column = sqlite3_column_name(stmt, i).map { String(cString: $0) } ?? "#\(i)"
        let table = sqlite3_column_table_name(stmt, i).map { String(cString: $0) + "." } ?? ""
        let declared = sqlite3_column_decltype(stmt, i).map { String(cString: $0) } ?? "(none)"
        let stored = [SQLITE_INTEGER: "INTEGER", SQLITE_FLOAT: "REAL", SQLITE_TEXT: "TEXT", SQLITE_BLOB: "BLOB"][
            storage]
        return DatabaseError(
            .unmappedType,
            "column \(table)\(column) declared \(declared) holds a \(stored ?? "?") value that is not a valid "
                + "\(declared.lowercased()) (see docs/types.md, SQLite)",
            table: table.isEmpty ? nil : String(table.dropLast()), column: column, typeName: declared)
    }

    private static func text(_ stmt: OpaquePointer, _ i: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, i) else { return "" }
        let n = Int(sqlite3_column_bytes(stmt, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    private static func blob(_ stmt: OpaquePointer, _ i: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(stmt, i))
        guard n > 0, let p = sqlite3_column_blob(stmt, i) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    /// `[+-]digits[.digits]` (or `.digits`), the exact decimal forms kept as `.decimal`.
    static func isDecimalLiteral(_ s: String) -> Bool {
        var u = Substring(s)
        if u.first == "-" || u.first == "+" { u = u.dropFirst() }
        let parts = u.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !u.isEmpty, u != "." else { return false }
        return parts.allSatisfy { $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }

    /// A REAL from a NUMERIC column as a decimal string: to the declared scale when there is
    /// one, otherwise the shortest text that reads back as the same double, never in exponent form.
    static func decimalString(_ d: Double, scale: Int?) -> String {
        if let scale { return String(format: "%.\(scale)f", d) }
        let s = "\(d)"
        if !s.contains("e") { return s.hasSuffix(".0") ? String(s.dropLast(2)) : s }
        if abs(d) >= 1 { return String(format: "%.0f", d) }
        var t = String(format: "%.20f", d)
        while t.hasSuffix("0") { t.removeLast() }
        return t
    }

    private static func withScale(_ integer: String, _ scale: Int?) -> String {
        guard let scale, scale > 0 else { return integer }
        return integer + "." + String(repeating: "0", count: scale)
    }

    static func caseName(_ v: Value) -> String {
        switch v {
        case .null: "null"
        case .bool: "a bool"
        case .int: "an int"
        case .double: "a double"
        case .decimal: "a decimal"
        case .string: "a string"
        case .bytes: "bytes"
        case .date: "a date"
        case .time: "a time"
        case .timestamp: "a timestamp"
        case .interval: "an interval"
        case .uuid: "a uuid"
        case .json: "json"
        case .list: "a list"
        case .dict: "a dict"
        case .ref: "a ref"
        case .object: "an object"
        case .info: "an info object"
        }
    }
}
