import DaBrokerClient
import DaBrokerCore
import DaBrokerServer
import OrderedCollections
import Synchronization

/// The server manual's example, served in process: `MyRoot` (version_string, version_tuple,
/// login, status), `Status` (servers, load, health), server calls `hello` and `set_health`,
/// and a searchable class `Item` published in `root.data`.
struct ManualFixture {
    let server: BrokerServer
    let transport: LoopbackServerTransport
    let root: StaticObject
    let status: StaticObject
    let statusClass: BrokerClass
    let items: ItemStore

    static func start() async throws -> ManualFixture {
        let server = BrokerServer(configuration: .init(secret: "client-tests"))
        let transport = LoopbackServerTransport()
        server.addTransport(transport)

        let statusClass = BrokerClass("statusInfo", fields: ["servers", "load", "health"])
        let status = StaticObject(
            class: statusClass,
            values: [
                "servers": .value(["joe", "curly", "moe"]), "load": .value(.dict(["joe": 0.1, "curly": .null])),
                "health": "OK",
            ])
        let realRootClass = BrokerClass("realRoot", fields: ["user"])
        let realRoot = StaticObject(class: realRootClass, values: ["user": "jane"])
        let rootClass = BrokerClass(
            "rootInfo", fields: ["version_string", "version_tuple", "data"], refs: ["status"], backrefs: ["items"],
            calls: [
                .function("login") { args in
                    guard try args.string(0, method: "login") == "jane" else {
                        throw BrokerError.accessDenied("login refused")
                    }
                    return .object(realRoot)
                }
            ])
        let items = ItemStore()
        let root = StaticObject(
            class: rootClass,
            values: [
                "version_string": "0.12.3", "version_tuple": .value([0, 12, 3]), "status": .object(status),
                "data": .dict(["Item": .key(ObjectKey(["static", "item", "info"]))]),
                "items": .list(items.all.map { .object($0.1) }),
            ])
        try server.addStatic(rootClass, "root", "meta")
        try server.addStatic(statusClass, "status", "meta")
        try server.addStatic(realRootClass, "real", "meta")
        try server.addStatic(realRoot, "real", "jane")
        try server.addStatic(root, "root")
        try server.addStatic(status, "status", 0)
        try server.addStatic(items.itemClass, "item", "info")
        if let meta = items.itemClass.meta { try server.addStatic(meta, "item", "meta") }
        for (id, item) in items.all { try server.addStatic(item, "item", .int(id)) }
        server.root = root

        server.register("hello") { args in .string("hello " + (try args.string(0, method: "hello"))) }
        server.register("set_health") { [server] args in
            try await server.objUpdate(status, ["health": .string(try args.string(0, method: "set_health"))])
            return true
        }
        server.register("rename_item") { [server, items] args in
            let id = try args.int(0, method: "rename_item")
            guard let item = items.item(id) else { throw BrokerError.noData("no item \(id)") }
            try await server.objUpdate(item, ["name": .string(try args.string(1, method: "rename_item"))])
            return true
        }
        try await server.start()
        return ManualFixture(
            server: server, transport: transport, root: root, status: status, statusClass: statusClass, items: items)
    }

    /// A connected client with its own cache.
    func client(cacheSize: Int = 1000) async throws -> BrokerClient {
        let client = BrokerClient(
            transport: transport.makeClient(), configuration: .init(cacheSize: cacheSize))
        try await client.connect()
        return client
    }

    func stop() async { await server.stop() }
}

/// The searchable class `Item` (id, name) and its objects, ids 1…5.
final class ItemStore: Sendable {
    private let objects: Box<[(Int64, StaticObject)]>
    private let searches: Box<Int>
    let itemClass: BrokerClass

    init() {
        let box = Box<[(Int64, StaticObject)]>([])
        let searches = Box(0)
        self.searches = searches
        objects = box
        itemClass = BrokerClass.searchable(
            "Item", fields: ["id", "name"],
            search: { limit, filters in
                searches.withLock { $0 += 1 }
                let found = box.withLock { $0 }.map(\.1).filter { Self.matches($0, filters) }
                return Array(found.prefix(limit ?? found.count)).map { .object($0) }
            },
            count: { filters in
                searches.withLock { $0 += 1 }
                return box.withLock { $0 }.map(\.1).filter { Self.matches($0, filters) }.count
            })
        let made = (1...5).map { id in
            (Int64(id), StaticObject(class: itemClass, values: ["id": .int(id), "name": .string("item \(id)")]))
        }
        box.withLock { $0 = made }
    }

    var all: [(Int64, StaticObject)] { objects.withLock { $0 } }
    /// How many `_dab_search` / `_dab_count` calls reached the server.
    var searchCount: Int { searches.withLock { $0 } }

    func item(_ id: Int64) -> StaticObject? { all.first { $0.0 == id }?.1 }

    private static func matches(_ item: StaticObject, _ filters: OrderedDictionary<String, Value>) -> Bool {
        filters.allSatisfy { name, value in
            if case .value(let v) = item.brokerValue(name) { return v == value }
            return false
        }
    }
}

/// A value behind a lock, shareable between closures.
final class Box<T: Sendable>: Sendable {
    private let mutex: Mutex<T>
    init(_ value: T) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout T) -> R) -> R { mutex.withLock { body(&$0) } }
}
