import DaBrokerCore
import DaBrokerServer
import Logging

@testable import DaBrokerAMQP

/// A `BrokerServer` with static objects served over AMQP: a root (`version`, ref `status`)
/// and a status object (`health`).
struct AMQPStaticBroker {
    let server: BrokerServer
    let transport: AMQPServerTransport
    let status: StaticObject

    init(_ c: AMQPConfiguration) async throws {
        var logger = Logger(label: "amqp-e2e")
        logger.logLevel = .warning
        server = BrokerServer(configuration: .init(secret: "amqp-tests", logger: logger))
        transport = AMQPServerTransport(configuration: AMQPTest.named(c, "broker"), logger: logger)
        server.addTransport(transport)
        let statusClass = BrokerClass("Status", fields: ["health"])
        status = StaticObject(class: statusClass, values: ["health": "OK"])
        try server.addStatic(statusClass, "status", "meta")
        try server.addStatic(status, "status", 0)
        let rootClass = BrokerClass("Root", fields: ["version"], refs: ["status"])
        let root = StaticObject(class: rootClass, values: ["version": "1.0", "status": .object(status)])
        try server.addStatic(rootClass, "root", "meta")
        try server.addStatic(root, "root")
        server.root = root
        try await server.start(purge: true)
    }

    func stop() async { await server.stop() }
}
