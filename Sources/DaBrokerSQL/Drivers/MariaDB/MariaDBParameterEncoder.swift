import CMariaDB
import DaBrokerCore

/// Binds `Value` parameters to a prepared statement's `MYSQL_BIND`s.
///
/// Timestamps with an offset are sent as their UTC wall clock (connections run with
/// `time_zone = '+00:00'`); timestamps without offset as their wall clock.
enum MariaDBParameterEncoder {
    static func bind(_ values: [Value]) throws -> MariaDBBinds {
        let binds = MariaDBBinds(count: values.count)
        for (i, value) in values.enumerated() {
            try bind(value, at: i, into: binds)
        }
        return binds
    }

    private static func bind(_ value: Value, at i: Int, into binds: MariaDBBinds) throws {
        switch value {
        case .null: binds.setNull(i)
        case .bool(let b): binds.set(i, type: MYSQL_TYPE_TINY, value: Int8(b ? 1 : 0))
        case .int(let n): binds.set(i, type: MYSQL_TYPE_LONGLONG, value: n)
        case .double(let d): binds.set(i, type: MYSQL_TYPE_DOUBLE, value: d)
        case .decimal(let s): binds.set(i, type: MYSQL_TYPE_NEWDECIMAL, bytes: Array(s.utf8))
        case .string(let s), .json(let s): binds.set(i, type: MYSQL_TYPE_STRING, bytes: Array(s.utf8))
        case .uuid(let u): binds.set(i, type: MYSQL_TYPE_STRING, bytes: Array(u.uuidString.lowercased().utf8))
        case .bytes(let b): binds.set(i, type: MYSQL_TYPE_BLOB, bytes: b)
        case .date(let d):
            guard (0...9999).contains(d.year), (0...12).contains(d.month), (0...31).contains(d.day) else {
                throw DatabaseError(
                    .parameter, "parameter \(i + 1): the date is outside MariaDB's dates (years 0 to 9999)",
                    refusal: .outOfRange)
            }
            var t = MYSQL_TIME()
            t.year = UInt32(d.year)
            t.month = UInt32(d.month)
            t.day = UInt32(d.day)
            t.time_type = MYSQL_TIMESTAMP_DATE
            binds.set(i, type: MYSQL_TYPE_DATE, value: t)
        case .time(let tv):
            guard tv.hour.magnitude <= 838, tv.minute.magnitude < 60, tv.second.magnitude < 60,
                tv.microsecond.magnitude < 1_000_000
            else {
                throw DatabaseError(
                    .parameter, "parameter \(i + 1): the time is outside MariaDB's TIME range (±838:59:59)",
                    refusal: .outOfRange)
            }
            let negative = tv.hour < 0 || tv.minute < 0 || tv.second < 0 || tv.microsecond < 0
            var t = MYSQL_TIME()
            // The binary protocol carries the hour in one byte: whole days go in `day`.
            t.day = UInt32(tv.hour.magnitude / 24)
            t.hour = UInt32(tv.hour.magnitude % 24)
            t.minute = UInt32(tv.minute.magnitude)
            t.second = UInt32(tv.second.magnitude)
            t.second_part = UInt(tv.microsecond.magnitude)
            t.neg = negative ? 1 : 0
            t.time_type = MYSQL_TIMESTAMP_TIME
            binds.set(i, type: MYSQL_TYPE_TIME, value: t)
        case .timestamp(let ts):
            let (d, tv) = CivilCalendar.split(ts.microsecondsSinceEpoch)
            guard (0...9999).contains(d.year) else {
                throw DatabaseError(
                    .parameter, "parameter \(i + 1): the timestamp's year is outside MariaDB's range (0 to 9999)",
                    refusal: .outOfRange)
            }
            var t = MYSQL_TIME()
            t.year = UInt32(d.year)
            t.month = UInt32(d.month)
            t.day = UInt32(d.day)
            t.hour = UInt32(tv.hour)
            t.minute = UInt32(tv.minute)
            t.second = UInt32(tv.second)
            t.second_part = UInt(tv.microsecond)
            t.time_type = MYSQL_TIMESTAMP_DATETIME
            binds.set(i, type: MYSQL_TYPE_DATETIME, value: t)
        case .interval, .list, .dict, .ref, .object, .info:
            throw DatabaseError(
                .parameter,
                "parameter \(i + 1): \(caseName(value)) values cannot be sent to MariaDB (see docs/types.md)")
        }
    }

    private static func caseName(_ value: Value) -> String {
        switch value {
        case .interval: "interval"
        case .list: "list"
        case .dict: "dictionary"
        case .ref: "reference"
        case .object: "object"
        default: "info"
        }
    }
}
