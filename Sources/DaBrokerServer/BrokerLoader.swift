import DaBrokerCore
import OrderedCollections

/// What a call on a loader's object returned, and whether top-level objects go whole.
public struct CallOutcome: Sendable {
    public var value: BrokerValue
    /// The manual's `include` flag: the result itself, or each object of a result list, is sent whole.
    public var include: Bool
    /// Keys whose refs travel without an access code: objects the call touched that the
    /// client may not read (a write's reply never signs a ref the client could not have read).
    public var withheld: Set<ObjectKey>

    public init(_ value: BrokerValue, include: Bool = false, withheld: Set<ObjectKey> = []) {
        self.value = value
        self.include = include
        self.withheld = withheld
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
    /// The server-level `update` as a client calls it: the updated object, and the keys of
    /// refs in it that must travel without a code (see ``CallOutcome/withheld``). By default,
    /// ``update(_:changes:server:)`` with nothing withheld.
    func clientUpdate(_ key: ObjectKey, changes: OrderedDictionary<String, [Value]>, server: BrokerServer)
        async throws -> (value: Value, withheld: Set<ObjectKey>)
    /// How many objects the backref `name` of the object at `key` holds.
    func backrefCount(_ key: ObjectKey, name: String, server: BrokerServer) async throws -> Int
    /// The `index`th object (0-based) of the backref `name` of the object at `key`, whole.
    func backrefObject(_ key: ObjectKey, name: String, index: Int, server: BrokerServer) async throws -> Value
}

extension BrokerLoader {
    public func clientUpdate(_ key: ObjectKey, changes: OrderedDictionary<String, [Value]>, server: BrokerServer)
        async throws -> (value: Value, withheld: Set<ObjectKey>)
    {
        (try await update(key, changes: changes, server: server), [])
    }
}

/// A loader whose objects server code can change by key (the SQL loader): the
/// ``BrokerServer/objUpdate(key:_:)`` and ``BrokerServer/objDelete(key:)`` helpers use it.
public protocol ServerWritableLoader: BrokerLoader {
    /// Sets attributes of the object at `key` (no old-value check) and broadcasts the change.
    func objUpdate(_ key: ObjectKey, _ values: [String: Value]) async throws
    /// Deletes the object at `key` and broadcasts it.
    func objDelete(_ key: ObjectKey) async throws
}
