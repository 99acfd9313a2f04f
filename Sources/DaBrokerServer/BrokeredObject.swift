import DaBrokerCore

/// An object served without SQL: the application's own Swift object, described by a
/// ``BrokerClass`` (its `_meta`).
///
/// Swift has no runtime method lookup, so the object hands out its exported attributes by
/// name, and the callables live as closures on its class. Register it with
/// ``BrokerServer/addStatic(_:_:)`` to give it a key.
public protocol BrokeredObject: AnyObject, Sendable {
    /// The class describing this object: its fields, refs, backrefs and calls.
    var brokerClass: BrokerClass { get }
    /// The current value of the exported field, ref or backref `name`.
    ///
    /// Refs return `.object(…)`, `.key(…)` or `.null`; backrefs return a `.list` of objects.
    func brokerValue(_ name: String) -> BrokerValue
    /// Applies a server-side change (``BrokerServer/objUpdate(_:_:)``). The default refuses.
    func brokerSet(_ changes: [String: BrokerValue]) throws
}

extension BrokeredObject {
    public func brokerSet(_ changes: [String: BrokerValue]) throws {
        throw BrokerError.readOnly("objects of class \(brokerClass.info.name) cannot be changed")
    }
}
