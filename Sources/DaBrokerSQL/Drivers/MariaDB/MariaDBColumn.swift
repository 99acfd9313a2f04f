import CMariaDB
import DaBrokerCore
import Foundation

/// One result column of a MariaDB statement: how it is bound for fetching and turned into a
/// `Value` (the table is in docs/types.md).
struct MariaDBColumn {
    enum Kind: Equatable {
        case integer(unsigned: Bool)
        case float, double, decimal, date, time, datetime, timestamp
        case string, bytes, json, uuid, bit, null
    }

    var name: String
    var table: String?
    var kind: Kind
    /// The initial buffer size for variable-length kinds (grown per value when needed).
    var capacity: Int

    /// Chooses the mapping of a result field; throws `.unmappedType` for types without one.
    init(_ f: MYSQL_FIELD) throws {
        let field = f
        name = field.name.map { String(cString: $0) } ?? "?"
        let orgTable = field.org_table.map { String(cString: $0) } ?? ""
        table = orgTable.isEmpty ? nil : orgTable
        capacity = Int(min(max(field.max_length, 16), 1 << 20))
        let unsigned = field.flags & UInt32(UNSIGNED_FLAG) != 0
        let binary = field.charsetnr == 63
        var copy = field
        let dataType = Self.attribute(&copy, MARIADB_FIELD_ATTR_DATA_TYPE_NAME)
        let format = Self.attribute(&copy, MARIADB_FIELD_ATTR_FORMAT_NAME)
        switch field.type {
        case MYSQL_TYPE_TINY, MYSQL_TYPE_SHORT, MYSQL_TYPE_INT24, MYSQL_TYPE_LONG, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_YEAR:
            kind = .integer(unsigned: unsigned)
        case MYSQL_TYPE_FLOAT: kind = .float
        case MYSQL_TYPE_DOUBLE: kind = .double
        case MYSQL_TYPE_DECIMAL, MYSQL_TYPE_NEWDECIMAL: kind = .decimal
        case MYSQL_TYPE_DATE, MYSQL_TYPE_NEWDATE: kind = .date
        case MYSQL_TYPE_TIME: kind = .time
        case MYSQL_TYPE_DATETIME: kind = .datetime
        case MYSQL_TYPE_TIMESTAMP: kind = .timestamp
        case MYSQL_TYPE_BIT: kind = .bit
        case MYSQL_TYPE_NULL: kind = .null
        case MYSQL_TYPE_JSON: kind = .json
        case MYSQL_TYPE_ENUM, MYSQL_TYPE_SET: kind = .string
        case MYSQL_TYPE_STRING, MYSQL_TYPE_VAR_STRING, MYSQL_TYPE_VARCHAR, MYSQL_TYPE_TINY_BLOB,
            MYSQL_TYPE_MEDIUM_BLOB, MYSQL_TYPE_LONG_BLOB, MYSQL_TYPE_BLOB:
            if format == "json" || dataType == "json" {
                kind = .json
            } else if dataType == "uuid" {
                kind = .uuid
            } else if let other = dataType, !["inet4", "inet6"].contains(other) {
                throw DatabaseError.unmappedType(table: table, column: name, typeName: other)
            } else if binary && field.flags & UInt32(ENUM_FLAG | SET_FLAG) == 0 {
                kind = .bytes
            } else {
                kind = .string
            }
        default:
            throw DatabaseError.unmappedType(
                table: table, column: name, typeName: dataType ?? Self.typeName(field.type))
        }
    }

    private static func attribute(_ field: inout MYSQL_FIELD, _ which: mariadb_field_attr_t) -> String? {
        var attr = MARIADB_CONST_STRING()
        guard mariadb_field_attr(&attr, &field, which) == 0, let p = attr.str, attr.length > 0 else { return nil }
        let bytes = UnsafeRawBufferPointer(start: p, count: Int(attr.length))
        return String(decoding: bytes, as: UTF8.self).lowercased()
    }

    private static func typeName(_ type: enum_field_types) -> String {
        switch type {
        case MYSQL_TYPE_GEOMETRY: "geometry"
        default: "MariaDB type \(type.rawValue)"
        }
    }

    /// Prepares bind `i` to receive this column.
    func bind(_ i: Int, _ binds: MariaDBBinds) {
        switch kind {
        case .integer(let unsigned): binds.allocate(i, type: MYSQL_TYPE_LONGLONG, size: 8, unsigned: unsigned)
        case .float: binds.allocate(i, type: MYSQL_TYPE_FLOAT, size: 4)
        case .double: binds.allocate(i, type: MYSQL_TYPE_DOUBLE, size: 8)
        case .date: binds.allocate(i, type: MYSQL_TYPE_DATE, size: MemoryLayout<MYSQL_TIME>.size)
        case .time: binds.allocate(i, type: MYSQL_TYPE_TIME, size: MemoryLayout<MYSQL_TIME>.size)
        case .datetime: binds.allocate(i, type: MYSQL_TYPE_DATETIME, size: MemoryLayout<MYSQL_TIME>.size)
        case .timestamp: binds.allocate(i, type: MYSQL_TYPE_TIMESTAMP, size: MemoryLayout<MYSQL_TIME>.size)
        case .null: binds.allocate(i, type: MYSQL_TYPE_NULL, size: 1)
        case .decimal, .string, .bytes, .json, .uuid, .bit:
            binds.allocate(i, type: MYSQL_TYPE_BLOB, size: capacity)
        }
    }

    /// The value fetched into `buffer` (`length` bytes for variable-length kinds).
    func value(_ buffer: UnsafeMutableRawPointer, length: Int) throws -> Value {
        switch kind {
        case .integer(let unsigned):
            let raw = buffer.load(as: UInt64.self)
            if unsigned && raw > UInt64(Int64.max) { return .decimal(String(raw)) }
            return .int(Int64(bitPattern: raw))
        case .float:
            let f = buffer.load(as: Float.self)
            return .double(f.isFinite ? Double("\(f)") ?? Double(f) : Double(f))
        case .double: return .double(buffer.load(as: Double.self))
        case .null: return .null
        case .date, .time, .datetime, .timestamp: return temporal(buffer.load(as: MYSQL_TIME.self))
        default: break
        }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: length)
        switch kind {
        case .decimal: return .decimal(String(decoding: bytes, as: UTF8.self))
        case .string: return .string(String(decoding: bytes, as: UTF8.self))
        case .json: return .json(String(decoding: bytes, as: UTF8.self))
        case .bytes: return .bytes(Array(bytes))
        case .uuid:
            let text = String(decoding: bytes, as: UTF8.self)
            guard let u = UUID(uuidString: text) else {
                throw DatabaseError(.internal, "column \(name): \(text) is not a UUID")
            }
            return .uuid(u)
        case .bit:
            var n: UInt64 = 0
            for b in bytes { n = n << 8 | UInt64(b) }
            return n > UInt64(Int64.max) ? .decimal(String(n)) : .int(Int64(n))
        default: return .null
        }
    }

    private func temporal(_ t: MYSQL_TIME) -> Value {
        let micro = Int(t.second_part)
        switch kind {
        case .time:
            let sign = t.neg != 0 ? -1 : 1
            let hours = Int(t.day) * 24 + Int(t.hour)
            return .time(
                TimeValue(
                    hour: sign * hours, minute: sign * Int(t.minute), second: sign * Int(t.second),
                    microsecond: sign * micro))
        case .date:
            if t.year == 0 && t.month == 0 && t.day == 0 { return .null }
            return .date(DateValue(year: Int(t.year), month: Int(t.month), day: Int(t.day)))
        default:
            if t.year == 0 && t.month == 0 && t.day == 0 { return .null }
            let micros = CivilCalendar.micros(
                DateValue(year: Int(t.year), month: Int(t.month), day: Int(t.day)),
                TimeValue(hour: Int(t.hour), minute: Int(t.minute), second: Int(t.second), microsecond: micro))
            return .timestamp(TimestampValue(microsecondsSinceEpoch: micros, utcOffset: kind == .timestamp ? 0 : nil))
        }
    }
}
