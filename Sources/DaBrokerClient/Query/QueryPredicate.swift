import DaBrokerCore
import Foundation

/// A condition of a query (the wire's `_where`), combined with `&&` and `||`:
///
/// ```swift
/// people.filter(Column("born") >= "1900-01-01" && (Column("mood") == "ok" || Column("grade").isNull))
/// ```
public indirect enum QueryPredicate: Sendable, Hashable {
    /// One wire condition: `[name, op, value?]`.
    case condition(Value)
    /// Every predicate holds.
    case and([QueryPredicate])
    /// Some predicate holds.
    case or([QueryPredicate])

    /// The `_where` list (an AND of its elements).
    var whereList: [Value] {
        switch self {
        case .condition(let c): return [c]
        case .and(let all): return all.flatMap(\.whereList)
        case .or(let any): return [.dict(["_or": .list(any.map { .list($0.whereList) })])]
        }
    }

    public static func && (a: QueryPredicate, b: QueryPredicate) -> QueryPredicate { .and([a, b]) }
    public static func || (a: QueryPredicate, b: QueryPredicate) -> QueryPredicate {
        if case .or(let left) = a { return .or(left + [b]) }
        return .or([a, b])
    }
}

/// A Swift value usable in a query's conditions.
public protocol QueryValueConvertible: Sendable {
    var queryValue: Value { get }
}

extension Value: QueryValueConvertible { public var queryValue: Value { self } }
extension Int: QueryValueConvertible { public var queryValue: Value { .int(Int64(self)) } }
extension Int64: QueryValueConvertible { public var queryValue: Value { .int(self) } }
extension Double: QueryValueConvertible { public var queryValue: Value { .double(self) } }
extension String: QueryValueConvertible { public var queryValue: Value { .string(self) } }
extension Bool: QueryValueConvertible { public var queryValue: Value { .bool(self) } }
extension UUID: QueryValueConvertible { public var queryValue: Value { .uuid(self) } }
extension DateValue: QueryValueConvertible { public var queryValue: Value { .date(self) } }
extension ClientObject: QueryValueConvertible { public var queryValue: Value { .ref(ref) } }
extension Optional: QueryValueConvertible where Wrapped: QueryValueConvertible {
    public var queryValue: Value { self?.queryValue ?? .null }
}

extension Column {
    public static func == (c: Column, v: some QueryValueConvertible) -> QueryPredicate {
        c.condition("=", v.queryValue)
    }
    public static func != (c: Column, v: some QueryValueConvertible) -> QueryPredicate {
        c.condition("!=", v.queryValue)
    }
    public static func < (c: Column, v: some QueryValueConvertible) -> QueryPredicate {
        c.condition("<", v.queryValue)
    }
    public static func <= (c: Column, v: some QueryValueConvertible) -> QueryPredicate {
        c.condition("<=", v.queryValue)
    }
    public static func > (c: Column, v: some QueryValueConvertible) -> QueryPredicate {
        c.condition(">", v.queryValue)
    }
    public static func >= (c: Column, v: some QueryValueConvertible) -> QueryPredicate {
        c.condition(">=", v.queryValue)
    }
}
