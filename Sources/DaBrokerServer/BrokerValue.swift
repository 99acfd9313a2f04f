import DaBrokerCore
import OrderedCollections

/// What server code hands to the broker: plain values, or served objects that the broker
/// turns into refs (or sends whole, for the top level of an `include` call result).
///
/// `Value` cannot hold a live Swift object, so results of exported calls, field values of
/// hand-served objects and `objUpdate` changes use this type.
public enum BrokerValue: Sendable {
    /// A plain value (it may already hold refs, objects or infos; they get access codes on the way out).
    case value(Value)
    /// A served object (a static object or a hand-exported class), sent as a ref or whole.
    case object(any BrokeredObject)
    /// An object known only by its key (for example a SQL row); sent as a ref or whole.
    case key(ObjectKey)
    /// A list whose elements may be objects.
    case list([BrokerValue])
    /// A dictionary whose values may be objects.
    case dict(OrderedDictionary<String, BrokerValue>)

    /// SQL `NULL` / JSON `null`.
    public static let null = BrokerValue.value(.null)
}

extension BrokerValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .value(.string(value)) }
    public init(integerLiteral value: Int64) { self = .value(.int(value)) }
    public init(booleanLiteral value: Bool) { self = .value(.bool(value)) }
    public init(floatLiteral value: Double) { self = .value(.double(value)) }
    public init(nilLiteral: ()) { self = .value(.null) }
}

extension BrokerValue {
    /// Wraps a Swift string.
    public static func string(_ s: String) -> BrokerValue { .value(.string(s)) }
    /// Wraps a Swift integer.
    public static func int(_ i: Int) -> BrokerValue { .value(.int(Int64(i))) }
}
