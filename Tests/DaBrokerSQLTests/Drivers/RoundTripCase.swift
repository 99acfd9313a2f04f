import DaBrokerCore
import Foundation

/// One row of a table-driven type round trip: a value sent as a parameter of SQL type
/// `sqlType`, and what must come back (the same value unless the type normalises it).
struct RoundTripCase: Sendable, CustomStringConvertible {
    var sqlType: String
    var value: Value
    var expected: Value

    init(_ sqlType: String, _ value: Value, _ expected: Value? = nil) {
        self.sqlType = sqlType
        self.value = value
        self.expected = expected ?? value
    }

    var description: String { "\(sqlType) \(value)" }
}

/// Small constructors for test values.
enum TV {
    static func date(_ y: Int, _ m: Int, _ d: Int) -> Value { .date(DateValue(year: y, month: m, day: d)) }

    static func time(_ h: Int, _ m: Int, _ s: Int, _ us: Int = 0, offset: Int? = nil) -> Value {
        .time(TimeValue(hour: h, minute: m, second: s, microsecond: us, utcOffset: offset))
    }

    /// A timestamp from calendar parts (wall clock; with `offset` the instant is wall - offset).
    static func ts(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, _ us: Int = 0, offset: Int? = nil)
        -> Value
    {
        let days = Int64(civilDays(y, mo, d))
        let wall = days * 86_400_000_000 + Int64(h * 3600 + mi * 60 + s) * 1_000_000 + Int64(us)
        return .timestamp(TimestampValue(microsecondsSinceEpoch: wall - Int64(offset ?? 0) * 1_000_000, utcOffset: offset))
    }

    /// The same instant as `value` (a timestamp) but with another offset.
    static func withOffset(_ value: Value, _ offset: Int?) -> Value {
        guard case .timestamp(var t) = value else { return value }
        t.utcOffset = offset
        return .timestamp(t)
    }

    static func civilDays(_ year: Int, _ month: Int, _ day: Int) -> Int {
        var c = DateComponents()
        c.year = year
        c.month = month
        c.day = day
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC") ?? cal.timeZone
        guard let date = cal.date(from: c) else { return 0 }
        return Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }

    static let unicode: Value = "héllo wörld ✓ 😀 中文 \u{0301}"
    static let uuid: Value = .uuid(UUID(uuidString: "123E4567-E89B-12D3-A456-426614174000") ?? UUID())
}
