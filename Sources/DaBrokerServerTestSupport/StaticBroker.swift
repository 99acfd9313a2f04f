import DaBrokerCore
import DaBrokerServer

/// A `BrokerServer` with static objects served through `Transport`: a root (`version`, refs
/// `status` and `nums`, `data` holding the read-write table `album` of a
/// ``MemoryTableLoader``), a status object (`health`) and a searchable class `Nums` of 20
/// numbers (`n`, `square`).
///
/// The one copy of the transport tests' small broker; each test target brings its
/// transport (HTTP, AMQP).
public struct StaticBroker<Transport: ServerTransport>: Sendable {
    public let server: BrokerServer
    public let transport: Transport
    public let status: StaticObject

    /// Builds the objects, adds `transport` (and `extra`, if any) and starts the server;
    /// `purge` is passed to `BrokerServer.start(purge:)`.
    public static func start(
        _ transport: Transport, configuration: BrokerServerConfiguration, extra: (any ServerTransport)? = nil,
        purge: Bool = false
    ) async throws -> StaticBroker {
        let server = BrokerServer(configuration: configuration)
        server.addTransport(transport)
        if let extra { server.addTransport(extra) }

        let statusClass = BrokerClass("Status", fields: ["health"])
        let status = StaticObject(class: statusClass, values: ["health": "OK"])
        try server.addStatic(statusClass, "status", "meta")
        try server.addStatic(status, "status", 0)

        let numClass = BrokerClass("Num", fields: ["n", "square"])
        let numbers = (1...20).map { i in
            StaticObject(class: numClass, values: ["n": .value(.int(Int64(i))), "square": .value(.int(Int64(i * i)))])
        }
        for (i, number) in numbers.enumerated() { try server.addStatic(number, "num", .int(Int64(i + 1))) }
        try server.addStatic(numClass, "num", "meta")
        let nums = BrokerClass.searchableNumbers("Nums", fields: ["n", "square"], numbers: numbers)
        try server.addStatic(nums, "nums")
        if let numsMeta = nums.meta { try server.addStatic(numsMeta, "nums", "meta") }

        try server.addLoader(MemoryTableLoader())
        let rootClass = BrokerClass("Root", fields: ["version", "data"], refs: ["status", "nums"])
        let root = StaticObject(
            class: rootClass,
            values: [
                "version": "1.0", "status": .object(status), "nums": .key(ObjectKey(["static", "nums"])),
                "data": .dict(["album": .key(MemoryTableLoader.tableKey)]),
            ])
        try server.addStatic(rootClass, "root", "meta")
        try server.addStatic(root, "root")
        server.root = root
        try await server.start(purge: purge)
        return StaticBroker(server: server, transport: transport, status: status)
    }

    /// Stops the server (and with it the transports).
    public func stop() async { await server.stop() }
}
