import DaBrokerClient
import DaBrokerCore
import DaBrokerServer
import OrderedCollections

/// The server manual's example, served through `Transport`: `rootInfo` (`version_string`,
/// `version_tuple`, `data`, ref `status`, backref `items`, call `login`), `statusInfo`
/// (`servers`, `load`, `health`), server calls `hello`, `set_health` and `rename_item`, and
/// the searchable class `Item` (ids 1…5) published in `root.data`. With `album`, `root.data`
/// also holds the read-write table of a ``MemoryTableLoader``.
///
/// The one copy of the example for every test target; each target brings its transport
/// (in-process, recording, HTTP, AMQP).
public struct ManualBroker<Transport: ServerTransport>: Sendable {
    public let server: BrokerServer
    public let transport: Transport
    public let root: StaticObject
    public let status: StaticObject
    public let statusClass: BrokerClass
    public let items: ItemStore

    /// Builds the example, adds `transport` and starts the server.
    public static func start(
        _ transport: Transport, configuration: BrokerServerConfiguration = .init(secret: "manual"),
        album: Bool = false
    ) async throws -> ManualBroker {
        let server = BrokerServer(configuration: configuration)
        server.addTransport(transport)

        let statusClass = BrokerClass("statusInfo", fields: ["servers", "load", "health"])
        let status = StaticObject(
            class: statusClass,
            values: [
                "servers": .value(["joe", "curly", "moe"]),
                "load": .value(.dict(["joe": 0.1, "curly": .null, "moe": 2.5])), "health": "OK",
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
        var data: OrderedDictionary<String, BrokerValue> = ["Item": .key(ItemStore.infoKey)]
        if album { data["album"] = .key(MemoryTableLoader.tableKey) }
        let root = StaticObject(
            class: rootClass,
            values: [
                "version_string": "0.12.3", "version_tuple": .value([0, 12, 3]), "status": .object(status),
                "data": .dict(data), "items": .list(items.all.map { .object($0.1) }),
            ])
        try server.addStatic(rootClass, "root", "meta")
        try server.addStatic(statusClass, "status", "meta")
        try server.addStatic(realRootClass, "real", "meta")
        try server.addStatic(realRoot, "real", "jane")
        try server.addStatic(root, "root")
        try server.addStatic(status, "status", 0)
        try items.add(to: server)
        if album { try server.addLoader(MemoryTableLoader()) }
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
        return ManualBroker(
            server: server, transport: transport, root: root, status: status, statusClass: statusClass, items: items)
    }

    /// Stops the server (and with it the transport).
    public func stop() async { await server.stop() }
}

extension ManualBroker where Transport == InProcessServerTransport {
    /// The example served in process.
    public static func start() async throws -> ManualBroker {
        try await start(InProcessServerTransport(), configuration: .init(secret: "client-tests"))
    }

    /// A connected client with its own cache.
    public func client(cacheSize: Int = 1000) async throws -> BrokerClient {
        try await clientAndTransport(cacheSize: cacheSize).client
    }

    /// A connected client and its in-process transport.
    public func clientAndTransport(
        cacheSize: Int = 1000
    ) async throws -> (client: BrokerClient, transport: InProcessClientTransport) {
        let clientTransport = transport.makeClient()
        let client = BrokerClient(transport: clientTransport, configuration: .init(cacheSize: cacheSize))
        try await client.connect()
        return (client, clientTransport)
    }
}
