import DaBrokerCore
import Synchronization

/// A ready-made ``BrokeredObject`` that keeps its attributes in a dictionary.
///
/// Use it when an object is just data (the manual's `Status`), or as a root whose `data`
/// dictionary the SQL loader fills with table infos. ``BrokerServer/objUpdate(_:_:)``
/// changes it in place.
public final class StaticObject: BrokeredObject {
    public let brokerClass: BrokerClass
    private let storage: Mutex<[String: BrokerValue]>

    public init(class brokerClass: BrokerClass, values: [String: BrokerValue] = [:]) {
        self.brokerClass = brokerClass
        self.storage = Mutex(values)
    }

    public func brokerValue(_ name: String) -> BrokerValue {
        storage.withLock { $0[name] ?? .null }
    }

    public func brokerSet(_ changes: [String: BrokerValue]) throws {
        storage.withLock { values in
            for (k, v) in changes { values[k] = v }
        }
    }

    /// Reads an attribute (same as ``brokerValue(_:)``).
    public subscript(name: String) -> BrokerValue {
        brokerValue(name)
    }
}
