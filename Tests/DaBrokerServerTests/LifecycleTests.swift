import DaBrokerCore
import Logging
import ServiceLifecycle
import Testing

@testable import DaBrokerServer

@Suite("Service lifecycle")
struct LifecycleTests {
    @Test func runsInAServiceGroupAndDrainsOnShutdown() async throws {
        let transport = PurgingRecordingTransport()
        let server = BrokerServer(configuration: .init(secret: "l", purgeOnStart: true))
        server.addTransport(transport)
        server.register("slow") { _ in
            try await Task.sleep(for: .milliseconds(150))
            return "done"
        }
        let group = ServiceGroup(
            configuration: .init(services: [server], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        var started = false
        for _ in 0..<100 where !started {
            try await Task.sleep(for: .milliseconds(10))
            started = transport.purge != nil
        }
        #expect(transport.purge == true)
        let client = TestClient(transport: transport.inner)
        #expect(try await client.call("ping") == "pong")
        let slow = Task { try await client.call("slow") }
        try await Task.sleep(for: .milliseconds(30))
        await group.triggerGracefulShutdown()
        #expect(try await slow.value == "done")
        try await running.value
        // Stopped: the transport is gone.
        await #expect(throws: BrokerError.self) { try await client.call("ping") }
    }

    @Test func startPassesPurgeOnlyToTransportsThatKeepAQueue() async throws {
        let purging = PurgingRecordingTransport()
        let plain = RecordingTransport()
        let server = BrokerServer(configuration: .init(secret: "p"))
        server.addTransport(purging)
        server.addTransport(plain)
        try await server.start(purge: true)
        #expect(purging.purge == true)
        #expect(try await TestClient(transport: plain).call("ping") == "pong")
        await #expect(throws: BrokerError.self) { try await server.start() }
        await server.stop()
    }

    @Test func broadcastsReachEveryTransport() async throws {
        let t1 = RecordingTransport()
        let t2 = RecordingTransport()
        let server = BrokerServer(configuration: .init(secret: "b"))
        server.addTransport(t1)
        server.addTransport(t2)
        let cls = try server.exportClass("X", key: ["x", "meta"], fields: ["v"])
        let x = StaticObject(class: cls, values: ["v": 1])
        try server.addStatic(x, "x")
        try await server.start()
        for i in 2...5 { try await server.objUpdate(x, ["v": .int(i)]) }
        #expect(t1.broadcasts.count == 4)
        #expect(t1.broadcasts == t2.broadcasts)
        let ids = try TestClient(transport: t1).broadcasts().map(\.msgid)
        #expect(ids == [1, 2, 3, 4])
        await server.stop()
    }
}
