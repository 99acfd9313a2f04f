import DaBrokerClient
import DaBrokerCore
import DaBrokerHTTP
import DaBrokerServer
import Logging
import NIOConcurrencyHelpers

/// The server manual's example served over HTTP on a loopback ephemeral port: `rootInfo`
/// (version_string, version_tuple, status, login, data → `Item`), `statusInfo` (servers,
/// health), server calls `hello` and `set_health`, a searchable class `Item` (ids 1…5) and
/// the read-write table `album` of a ``MemoryTableLoader``.
struct ManualBroker {
    let server: BrokerServer
    let http: HTTPServerTransport
    let status: StaticObject
    let port: Int

    init(http configuration: HTTPServerConfiguration = .init(port: 0)) async throws {
        var logger = Logger(label: "http-manual")
        logger.logLevel = .warning
        server = BrokerServer(configuration: .init(secret: "http-manual", logger: logger))
        var configuration = configuration
        configuration.port = 0
        http = HTTPServerTransport(configuration: configuration, logger: logger)
        server.addTransport(http)

        let statusClass = BrokerClass("statusInfo", fields: ["servers", "health"])
        let status = StaticObject(
            class: statusClass, values: ["servers": .value(["joe", "curly", "moe"]), "health": "OK"])
        self.status = status
        let realRootClass = BrokerClass("realRoot", fields: ["user"])
        let realRoot = StaticObject(class: realRootClass, values: ["user": "jane"])
        let itemObjects = ItemObjects()
        let rootClass = BrokerClass(
            "rootInfo", fields: ["version_string", "version_tuple", "data"], refs: ["status"],
            calls: [
                .function("login") { args in
                    guard try args.string(0, method: "login") == "jane" else {
                        throw BrokerError.accessDenied("login refused")
                    }
                    return .object(realRoot)
                }
            ])
        let root = StaticObject(
            class: rootClass,
            values: [
                "version_string": "0.12.3", "version_tuple": .value([0, 12, 3]), "status": .object(status),
                "data": .dict([
                    "Item": .key(ObjectKey(["static", "item", "info"])), "album": .key(MemoryTableLoader.tableKey),
                ]),
            ])
        try server.addStatic(rootClass, "root", "meta")
        try server.addStatic(statusClass, "status", "meta")
        try server.addStatic(realRootClass, "real", "meta")
        try server.addStatic(realRoot, "real", "jane")
        try server.addStatic(root, "root")
        try server.addStatic(status, "status", 0)
        try server.addStatic(itemObjects.itemClass, "item", "info")
        if let meta = itemObjects.itemClass.meta { try server.addStatic(meta, "item", "meta") }
        for (id, item) in itemObjects.all { try server.addStatic(item, "item", .int(id)) }
        try server.addLoader(MemoryTableLoader())
        server.root = root
        server.register("hello") { args in .string("hello " + (try args.string(0, method: "hello"))) }
        server.register("set_health") { [server] args in
            try await server.objUpdate(status, ["health": .string(try args.string(0, method: "set_health"))])
            return true
        }
        try await server.start()
        guard let port = http.port else { throw BrokerError.internal("no bound port") }
        self.port = port
    }

    /// A connected `BrokerClient` over HTTP with its own cache.
    func client(token: String? = nil) async throws -> BrokerClient {
        let transport = HTTPClientTransport(configuration: .init(port: port, bearerToken: token))
        let client = BrokerClient(transport: transport)
        try await client.connect()
        return client
    }

    func stop() async { await server.stop() }
}

/// The searchable class `Item` (id, name) with objects 1…5.
struct ItemObjects {
    let itemClass: BrokerClass
    let all: [(Int64, StaticObject)]

    init() {
        let objects = NIOLockedValueBox<[StaticObject]>([])
        itemClass = BrokerClass.searchable(
            "Item", fields: ["id", "name"],
            search: { limit, filters in
                let found = objects.withLockedValue { $0 }.filter { ItemObjects.matches($0, filters) }
                return Array(found.prefix(limit ?? found.count)).map { .object($0) }
            },
            count: { filters in objects.withLockedValue { $0 }.filter { ItemObjects.matches($0, filters) }.count })
        let itemClass = itemClass
        all = (1...5).map { id in
            (
                Int64(id),
                StaticObject(class: itemClass, values: ["id": .value(.int(Int64(id))), "name": .string("item \(id)")])
            )
        }
        let made = all.map(\.1)
        objects.withLockedValue { $0 = made }
    }

    static func matches(_ item: StaticObject, _ filters: some Sequence<(key: String, value: Value)>) -> Bool {
        filters.allSatisfy { filter in
            if case .value(let v) = item.brokerValue(filter.key) { return v == filter.value }
            return false
        }
    }
}
