import Foundation
import OrderedCollections

/// The one dynamic value that crosses every layer: a SQL column, a wire datum, a field of a
/// brokered object.
///
/// Decimals are exact (kept as their decimal string, never through `Double`); dictionaries
/// keep their order.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    /// An exact decimal, as its canonical decimal string (`"-12.50"`).
    case decimal(String)
    case string(String)
    case bytes([UInt8])
    case date(DateValue)
    case time(TimeValue)
    case timestamp(TimestampValue)
    case interval(IntervalValue)
    case uuid(UUID)
    /// A JSON document, as its JSON text.
    case json(String)
    case list([Value])
    case dict(OrderedDictionary<String, Value>)
    /// A reference to a brokered object: its key and, when sent to a client, its access code.
    case ref(Ref)
    /// A brokered object sent whole (`Obj` on the wire).
    indirect case object(ObjectValue)
    /// An info object sent whole (`Info` on the wire).
    indirect case info(InfoValue)
}

extension Value {
    /// Whether the value is SQL `NULL` / JSON `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
}

/// A calendar date without time zone (proleptic Gregorian).
public struct DateValue: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }
}

/// A time of day, optionally with a UTC offset (`timetz`).
public struct TimeValue: Sendable, Hashable {
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var microsecond: Int
    /// Seconds east of UTC, or `nil` for a time without zone.
    public var utcOffset: Int?
    public init(hour: Int, minute: Int, second: Int, microsecond: Int = 0, utcOffset: Int? = nil) {
        self.hour = hour
        self.minute = minute
        self.second = second
        self.microsecond = microsecond
        self.utcOffset = utcOffset
    }
}

/// A point in time with microsecond precision.
///
/// Without zone (`utcOffset == nil`) the value is a wall-clock reading, stored as if it were
/// UTC; with zone it is an absolute instant, and `utcOffset` is the offset it was read with.
public struct TimestampValue: Sendable, Hashable {
    public var microsecondsSinceEpoch: Int64
    public var utcOffset: Int?
    public init(microsecondsSinceEpoch: Int64, utcOffset: Int? = nil) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
        self.utcOffset = utcOffset
    }
}

/// A duration as SQL databases keep it: months, days and microseconds apart.
public struct IntervalValue: Sendable, Hashable {
    public var months: Int32
    public var days: Int32
    public var microseconds: Int64
    public init(months: Int32 = 0, days: Int32 = 0, microseconds: Int64 = 0) {
        self.months = months
        self.days = days
        self.microseconds = microseconds
    }
}
