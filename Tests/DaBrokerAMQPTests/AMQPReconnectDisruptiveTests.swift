import DaBrokerCore
import DaBrokerTestSupport
import Synchronization
import Testing

@testable import DaBrokerAMQP

/// Reconnection after RabbitMQ drops the connections. Serialized: these tests close
/// connections and stop the RabbitMQ application that other tests share.
@Suite(.serialized, .enabled(if: AMQPTest.enabled), .rabbit(.exclusive), .timeLimit(.minutes(3)))
struct AMQPReconnectDisruptiveTests {
    @Test func connectionsClosedByTheBrokerComeBack() async throws {
        try await checkRecovery(slow: .seconds(3)) {
            try await TestStack.run("close-amqp-connections", $0)
        }
    }

    @Test func rabbitAppStopAndStartComeBack() async throws {
        // rabbitmqctl takes a few seconds to act: the call in flight must outlast that.
        try await checkRecovery(slow: .seconds(10)) { _ in
            try await TestStack.run("stop-rabbit-app")
            try await TestStack.run("start-rabbit-app")
        }
    }

    @Test func oneOfTwoServersLosingItsConnectionMidLoadLosesNoCall() async throws {
        var c = try AMQPTest.configuration(timeout: .seconds(20))
        c.prefetch = 4
        let a = try await AMQPTest.echoServer(c, tag: "A", delay: .milliseconds(50))
        let b = try await AMQPTest.echoServer(c, tag: "B", delay: .milliseconds(50))
        let client = try await AMQPTest.client(c)
        let replies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for i in 0..<400 {
                group.addTask { (i, AMQPTest.text(try await client.call(AMQPTest.bytes("\(i)")))) }
            }
            try await Task.sleep(for: .milliseconds(200))
            // Only A's connection: its unacknowledged requests go to B (or back to A).
            try await TestStack.run("close-amqp-connections", (c.connectionName ?? "") + "_serverA")
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        #expect(replies.count == 400)
        for i in 0..<400 { #expect(replies[i] == "A\(i)" || replies[i] == "B\(i)") }
        await client.close()
        await a.stop()
        await b.stop()
        await AMQPTest.cleanUp(c)
    }

    /// Starts a server and a client with a call in flight, breaks the connections with
    /// `disrupt`, then checks: the in-flight call failed with Unavailable, the client emitted
    /// `.resynchronize`, and a call succeeds again within 5 s of the disruption's end.
    private func checkRecovery(slow: Duration, _ disrupt: @Sendable (String) async throws -> Void) async throws {
        let c = try AMQPTest.configuration(timeout: .seconds(20))
        let server = AMQPServerTransport(configuration: AMQPTest.named(c, "server"))
        let slowRuns = Atomic<Int>(0)
        try await server.start(handler: { request in
            if request == AMQPTest.bytes("slow") {
                slowRuns.add(1, ordering: .relaxed)
                try? await Task.sleep(for: slow)
            }
            return request
        })
        let client = try await AMQPTest.client(c)
        let resynchronized = Atomic<Int>(0)
        let watcher = Task {
            for await event in client.events {
                if case .resynchronize = event { resynchronized.add(1, ordering: .relaxed) }
            }
        }
        #expect(try await client.call(AMQPTest.bytes("before")) == AMQPTest.bytes("before"))

        let inFlight = Task { try await client.call(AMQPTest.bytes("slow")) }
        try await Task.sleep(for: .milliseconds(300))
        try await disrupt(c.connectionName ?? "")
        let clock = ContinuousClock()
        let disrupted = clock.now

        let failure = await #expect(throws: BrokerError.self) { _ = try await inFlight.value }
        #expect(failure?.kind == .unavailable)

        var back: Duration?
        while clock.now - disrupted < .seconds(10) {
            if let reply = try? await client.call(AMQPTest.bytes("after")), reply == AMQPTest.bytes("after") {
                back = clock.now - disrupted
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let recovery = try #require(back)
        #expect(recovery < .seconds(5), "back after \(recovery)")
        print("AMQP reconnect: a call succeeded again \(recovery) after the disruption")
        #expect(await AMQPTest.eventually { resynchronized.load(ordering: .relaxed) >= 1 })
        await client.close()
        watcher.cancel()
        await server.stop()
        // RabbitMQ redelivered the unacknowledged request; the server's reply memory kept it
        // from running twice.
        #expect(slowRuns.load(ordering: .relaxed) == 1)
        await AMQPTest.cleanUp(c)
    }
}
