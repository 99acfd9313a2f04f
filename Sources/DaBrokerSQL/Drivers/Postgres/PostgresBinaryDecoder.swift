import DaBrokerCore
import Foundation

/// Decodes PostgreSQL binary-format column values into `Value`s.
struct PostgresBinaryDecoder {
    /// Where the value comes from, for error messages.
    var column: String

    /// 2000-01-01 (PostgreSQL's epoch) in microseconds since 1970-01-01.
    static let epochShift: Int64 = 946_684_800_000_000
    static let epochShiftDays: Int64 = 10_957

    func decode(_ type: PostgresType, _ bytes: UnsafeRawBufferPointer) throws -> Value {
        var r = Reader(bytes: bytes, column: column)
        switch type {
        case .bool: return .bool(try r.byte() != 0)
        case .int2: return .int(Int64(Int16(bitPattern: try r.uint16())))
        case .int4: return .int(Int64(Int32(bitPattern: try r.uint32())))
        case .int8: return .int(Int64(bitPattern: try r.uint64()))
        case .oid: return .int(Int64(try r.uint32()))
        case .float4:
            let f = Float(bitPattern: try r.uint32())
            return .double(f.isFinite ? Double("\(f)") ?? Double(f) : Double(f))
        case .float8: return .double(Double(bitPattern: try r.uint64()))
        case .numeric: return .decimal(try numeric(&r))
        case .text, .enumLabel: return .string(String(decoding: bytes, as: UTF8.self))
        case .json: return .json(String(decoding: bytes, as: UTF8.self))
        case .jsonb:
            let version = try r.byte()
            guard version == 1 else { throw malformed("jsonb version \(version)") }
            return .json(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[1...]), as: UTF8.self))
        case .bytea: return .bytes(Array(bytes))
        case .uuid:
            guard bytes.count == 16 else { throw malformed("uuid of \(bytes.count) bytes") }
            let b = Array(bytes)
            return .uuid(
                UUID(
                    uuid: (
                        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                        b[14], b[15]
                    )))
        case .date:
            let days = Int32(bitPattern: try r.uint32())
            if days == Int32.max || days == Int32.min { throw infinite("date") }
            return .date(CivilCalendar.date(days: Int64(days) + Self.epochShiftDays))
        case .time:
            return .time(time(Int64(bitPattern: try r.uint64()), offset: nil))
        case .timetz:
            let micros = Int64(bitPattern: try r.uint64())
            let west = Int32(bitPattern: try r.uint32())
            return .time(time(micros, offset: -Int(west)))
        case .timestamp, .timestamptz:
            let micros = Int64(bitPattern: try r.uint64())
            if micros == Int64.max || micros == Int64.min { throw infinite(type.name) }
            let (sum, overflow) = micros.addingReportingOverflow(Self.epochShift)
            if overflow { throw malformed("timestamp out of range") }
            return .timestamp(TimestampValue(microsecondsSinceEpoch: sum, utcOffset: type == .timestamptz ? 0 : nil))
        case .interval:
            let micros = Int64(bitPattern: try r.uint64())
            let days = Int32(bitPattern: try r.uint32())
            let months = Int32(bitPattern: try r.uint32())
            return .interval(IntervalValue(months: months, days: days, microseconds: micros))
        case .void: return .null
        case .array(let element): return try array(element, &r)
        case .unmapped(let name):
            throw DatabaseError.unmappedType(table: nil, column: column, typeName: name)
        }
    }

    private func time(_ micros: Int64, offset: Int?) -> TimeValue {
        let seconds = Int(micros / 1_000_000)
        return TimeValue(
            hour: seconds / 3600, minute: seconds / 60 % 60, second: seconds % 60,
            microsecond: Int(micros % 1_000_000), utcOffset: offset)
    }

    /// The binary numeric: digit count, weight (of the first base-10000 digit), sign, display
    /// scale, then base-10000 digits.
    private func numeric(_ r: inout Reader) throws -> String {
        let ndigits = Int(Int16(bitPattern: try r.uint16()))
        let weight = Int(Int16(bitPattern: try r.uint16()))
        let sign = try r.uint16()
        let dscale = Int(try r.uint16())
        switch sign {
        case 0xC000: return "NaN"
        case 0xD000: return "Infinity"
        case 0xF000: return "-Infinity"
        case 0x0000, 0x4000: break
        default: throw malformed("numeric sign \(sign)")
        }
        var digits: [Int] = []
        digits.reserveCapacity(ndigits)
        for _ in 0..<ndigits { digits.append(Int(try r.uint16())) }
        func digit(_ i: Int) -> Int { i >= 0 && i < digits.count ? digits[i] : 0 }
        var out = sign == 0x4000 ? "-" : ""
        if weight < 0 {
            out += "0"
        } else {
            out += String(digit(0))
            if weight >= 1 {
                for i in 1...weight {
                    let s = String(digit(i))
                    out += String(repeating: "0", count: 4 - s.count) + s
                }
            }
        }
        if dscale > 0 {
            var frac = ""
            var i = weight + 1
            while frac.count < dscale {
                let s = String(digit(i))
                frac += String(repeating: "0", count: 4 - s.count) + s
                i += 1
            }
            out += "." + frac.prefix(dscale)
        }
        return out
    }

    /// The binary array: dimensions, has-null flag, element OID, (size, lower bound) per
    /// dimension, then length-prefixed elements in row-major order.
    private func array(_ element: PostgresType, _ r: inout Reader) throws -> Value {
        let ndim = Int(Int32(bitPattern: try r.uint32()))
        _ = try r.uint32()
        _ = try r.uint32()
        guard ndim >= 0, ndim <= 6 else { throw malformed("array of \(ndim) dimensions") }
        if ndim == 0 { return .list([]) }
        var sizes: [Int] = []
        for _ in 0..<ndim {
            let size = Int(Int32(bitPattern: try r.uint32()))
            _ = try r.uint32()
            guard size >= 0 else { throw malformed("array dimension \(size)") }
            sizes.append(size)
        }
        func level(_ d: Int) throws -> Value {
            var items: [Value] = []
            items.reserveCapacity(sizes[d])
            for _ in 0..<sizes[d] {
                if d + 1 < ndim {
                    items.append(try level(d + 1))
                } else {
                    let length = Int(Int32(bitPattern: try r.uint32()))
                    if length < 0 {
                        items.append(.null)
                    } else {
                        items.append(try decode(element, try r.slice(length)))
                    }
                }
            }
            return .list(items)
        }
        return try level(0)
    }

    private func malformed(_ what: String) -> DatabaseError {
        DatabaseError(.internal, "column \(column): malformed binary value from the server (\(what))")
    }

    private func infinite(_ type: String) -> DatabaseError {
        DatabaseError(
            .unmappedType, "column \(column): the \(type) value infinity has no Value mapping",
            column: column, typeName: type)
    }

    /// Big-endian reads from a value's bytes, failing instead of reading past the end.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        let column: String
        var offset = 0

        mutating func slice(_ n: Int) throws -> UnsafeRawBufferPointer {
            guard n >= 0, offset + n <= bytes.count else {
                throw DatabaseError(.internal, "column \(column): binary value from the server is truncated")
            }
            defer { offset += n }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n])
        }
        mutating func byte() throws -> UInt8 { try slice(1)[0] }
        mutating func uint16() throws -> UInt16 { UInt16(bigEndian: try slice(2).loadUnaligned(as: UInt16.self)) }
        mutating func uint32() throws -> UInt32 { UInt32(bigEndian: try slice(4).loadUnaligned(as: UInt32.self)) }
        mutating func uint64() throws -> UInt64 { UInt64(bigEndian: try slice(8).loadUnaligned(as: UInt64.self)) }
    }
}
