import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import DaBrokerTestSupport
import Logging

@testable import DaBrokerAMQP

/// A `BrokerServer` over AMQP serving a SQLite table `Item` (`id`, `name`, `price
/// DECIMAL(10,2)`), with decimals encoded as `decimals` says.
struct AMQPDecimalBroker {
    let server: BrokerServer
    let db: Database
    let name: String

    init(_ c: AMQPConfiguration, decimals: DecimalEncoding, name: String) async throws {
        self.name = name
        db = try await Database.open(url: try await TestDatabases.create(.sqlite, named: name))
        _ = try await db.execute("CREATE TABLE Item (id INTEGER PRIMARY KEY, name TEXT, price DECIMAL(10,2))")
        _ = try await db.execute("INSERT INTO Item VALUES (1, 'pen', 1.50), (2, 'desk', 1249.99), (3, 'gift', -0.01)")
        var logger = Logger(label: "amqp-decimal")
        logger.logLevel = .warning
        var configuration = BrokerServerConfiguration(secret: "amqp-tests", logger: logger)
        configuration.decimals = decimals
        server = BrokerServer(configuration: configuration)
        server.addTransport(AMQPServerTransport(configuration: AMQPTest.named(c, "broker"), logger: logger))
        let root = try server.addDataRoot()
        let loader = try await SQLLoader.reflecting(database: db, broker: server)
        try loader.addModel("Item", into: root)
        try await server.start(purge: true)
    }

    func stop() async {
        await server.stop()
        await db.close()
        try? await TestDatabases.drop(.sqlite, named: name)
    }
}
