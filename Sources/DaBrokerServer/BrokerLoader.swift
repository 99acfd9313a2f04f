import DaBrokerCore
import OrderedCollections

/// What a call on a loader's object returned, and whether top-level objects go whole.
public struct CallOutcome: Sendable {
    public var value: BrokerValue
    /// The manual's `include` flag: the result itself, or each object of a result list, is sent whole.
    public var include: Bool

    public init(_ value: BrokerValue, include: Bool = false) {
        self.value = value
        self.include = include
    }
}

/// A source of served objects: resolves keys that start with its ``id`` and runs the calls
/// their infos allow. Several loaders serve side by side (the static loader, one SQL loader
/// per database).
///
/// Every method receives keys whose access code the server has already checked. Values
/// returned travel to clients after the server has set their access codes.
public protocol BrokerLoader: AnyObject, Sendable {
    /// The first part of every key this loader serves (`"static"`, `"sql"`).
    var id: String { get }
    /// The object at `key`, whole (`.object` or `.info`); `NoData` when there is none.
    func load(_ key: ObjectKey, server: BrokerServer) async throws -> Value
    /// Runs `method` on the object at `key` if its meta's `calls` list it, else
    /// `UnknownCommand` (or `ReadOnly` for a table operation the table's mode forbids).
    func call(_ method: String, on key: ObjectKey, arguments: CallArguments, server: BrokerServer) async throws
        -> CallOutcome
    /// The server-level `update`: `changes` maps field names to `[old, new]`; fails with
    /// `StaleData` naming the field, writing nothing, when an old value differs. Returns the
    /// updated object, whole.
    func update(_ key: ObjectKey, changes: OrderedDictionary<String, [Value]>, server: BrokerServer) async throws
        -> Value
    /// How many objects the backref `name` of the object at `key` holds.
    func backrefCount(_ key: ObjectKey, name: String, server: BrokerServer) async throws -> Int
    /// The `index`th object (0-based) of the backref `name` of the object at `key`, whole.
    func backrefObject(_ key: ObjectKey, name: String, index: Int, server: BrokerServer) async throws -> Value
}
