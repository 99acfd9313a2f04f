import DaBrokerClient
import DaBrokerCore
import DaBrokerServer
import DaBrokerServerTestSupport
import Testing

@testable import DaBrokerAMQP

/// `BrokerClient` over AMQP against a `BrokerServer` with static objects.
@Suite(.enabled(if: AMQPTest.enabled), .rabbit(.shared), .timeLimit(.minutes(2)))
struct AMQPBrokerTests {
    @Test func rootCallAndUpdateBroadcastReachTwoClients() async throws {
        let c = try AMQPTest.configuration()
        let broker = try await StaticBroker(c)
        let a = BrokerClient(transport: AMQPClientTransport(configuration: AMQPTest.named(c, "a")))
        let b = BrokerClient(transport: AMQPClientTransport(configuration: AMQPTest.named(c, "b")))
        try await a.connect()
        try await b.connect()

        let rootA = try await a.root
        #expect(try rootA.version.value == "1.0")
        #expect(try await rootA.status.health == "OK")
        #expect(try await a.call("echo", "hi") == "hi")
        let statusA = try #require(try await rootA.status.object)
        let statusB = try #require(try await b.root.status.object)
        #expect(try statusB.health.value == "OK")

        try await broker.server.objUpdate(broker.status, ["health": "poor"])
        #expect(await AMQPTest.eventually { statusA.isObsolete && statusB.isObsolete })
        #expect(try await b.root.status.health == "poor")
        #expect(try await a.root.status.health == "poor")

        await a.close()
        await b.close()
        await broker.stop()
        await AMQPTest.cleanUp(c)
    }
}
