import DaBrokerCore
import Foundation

/// Turns `Value` parameters into what `PQexecPrepared` sends: text the server parses with the
/// parameter's input function (exact for every type), or binary for `bytea` and `interval`.
struct PostgresParameterEncoder {
    /// One encoded parameter: `nil` for NULL.
    struct Encoded {
        var bytes: [UInt8]?
        var binary: Bool
    }

    /// Encodes parameter `index` (0-based) for a parameter the server typed as `type`.
    func encode(_ value: Value, index: Int, type: PostgresType) throws -> Encoded {
        switch (value, type) {
        case (.null, _):
            return Encoded(bytes: nil, binary: false)
        case (.bytes(let b), .bytea):
            guard b.count < 1 << 30 else {
                throw DatabaseError(
                    .parameter, "parameter $\(index + 1): \(b.count) bytes exceed PostgreSQL's 1 GB limit")
            }
            return Encoded(bytes: b, binary: true)
        case (.bytes, _):
            throw DatabaseError(
                .parameter, "parameter $\(index + 1): bytes can only be sent where bytea is expected, not \(type.name)")
        case (.interval(let i), .interval):
            var out: [UInt8] = []
            out.reserveCapacity(16)
            withUnsafeBytes(of: i.microseconds.bigEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: i.days.bigEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: i.months.bigEndian) { out.append(contentsOf: $0) }
            return Encoded(bytes: out, binary: true)
        case (.timestamp(var ts), .timestamp) where ts.utcOffset != nil:
            // An instant into a column without zone: its UTC wall clock (as MariaDB does).
            ts.utcOffset = nil
            return try encode(.timestamp(ts), index: index, type: .text)
        case (.timestamp(var ts), .timestamptz) where ts.utcOffset == nil:
            // A wall clock into a column with zone: taken as UTC, whatever the session TimeZone.
            ts.utcOffset = 0
            return try encode(.timestamp(ts), index: index, type: .text)
        default:
            let text = try self.text(value, index: index)
            if text.utf8.count >= 1 << 30 {
                throw DatabaseError(
                    .parameter, "parameter $\(index + 1): the value exceeds PostgreSQL's 1 GB limit",
                    refusal: .outOfRange)
            }
            if text.utf8.contains(0) {
                throw DatabaseError(
                    .parameter, "parameter $\(index + 1): PostgreSQL cannot store the NUL character",
                    refusal: .invalidValue)
            }
            return Encoded(bytes: Array(text.utf8), binary: false)
        }
    }

    /// The text form PostgreSQL's input functions accept (independent of DateStyle and
    /// IntervalStyle).
    func text(_ value: Value, index: Int) throws -> String {
        switch value {
        case .null: return "NULL"
        case .bool(let b): return b ? "t" : "f"
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
            return "\(d)"
        case .decimal(let s), .string(let s), .json(let s): return s
        case .bytes(let b): return "\\x" + b.map { String(format: "%02x", $0) }.joined()
        case .uuid(let u): return u.uuidString.lowercased()
        case .date(let d): return Self.date(d)
        case .time(let t): return Self.time(t)
        case .timestamp(let ts):
            guard let (d, t) = CivilCalendar.wallClock(ts) else {
                throw DatabaseError(
                    .parameter, "parameter $\(index + 1): timestamp with offset out of range", refusal: .outOfRange)
            }
            let base = Self.date(d, era: false) + " " + Self.time(t)
            let offset = ts.utcOffset.map { Self.offset($0) } ?? ""
            return base + offset + (d.year <= 0 ? " BC" : "")
        case .interval(let i):
            let sign = i.microseconds < 0 ? "-" : ""
            let m = i.microseconds.magnitude
            let seconds = m / 1_000_000
            return "\(i.months) mons \(i.days) days \(sign)\(seconds / 3600):" + Self.two(Int(seconds / 60 % 60)) + ":"
                + Self.two(Int(seconds % 60)) + "." + Self.pad(Int(m % 1_000_000), 6)
        case .list(let items):
            return "{" + (try items.map { try arrayElement($0, index: index) }.joined(separator: ",")) + "}"
        case .dict, .ref, .object, .info:
            throw DatabaseError(
                .parameter, "parameter $\(index + 1): a \(Self.caseName(value)) cannot be sent to PostgreSQL")
        }
    }

    private func arrayElement(_ value: Value, index: Int) throws -> String {
        switch value {
        case .null: return "NULL"
        case .list: return try text(value, index: index)
        default:
            let t = try text(value, index: index)
            return "\"" + t.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                + "\""
        }
    }

    static func caseName(_ value: Value) -> String {
        switch value {
        case .dict: "dictionary"
        case .ref: "reference"
        case .object: "object"
        case .info: "info object"
        default: "value"
        }
    }

    static func date(_ d: DateValue, era: Bool = true) -> String {
        let year = d.year <= 0 ? 1 - d.year : d.year
        return pad(year, 4) + "-" + two(d.month) + "-" + two(d.day) + (era && d.year <= 0 ? " BC" : "")
    }

    static func time(_ t: TimeValue) -> String {
        var s = two(t.hour) + ":" + two(t.minute) + ":" + two(t.second) + "." + pad(t.microsecond, 6)
        if let o = t.utcOffset { s += offset(o) }
        return s
    }

    static func offset(_ seconds: Int) -> String {
        let m = seconds.magnitude
        var s = (seconds < 0 ? "-" : "+") + two(Int(m / 3600)) + ":" + two(Int(m / 60 % 60))
        if m % 60 != 0 { s += ":" + two(Int(m % 60)) }
        return s
    }

    static func two(_ n: Int) -> String { pad(n, 2) }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
