import DaBrokerClient
import DaBrokerCore
import DaBrokerServer
import DaBrokerServerTestSupport
import Testing

/// A reply is used only after the broadcasts it follows: a client that changes something
/// and then reads never sees the old value, even from its cache.
@Suite("Client: read-your-writes")
struct ReadYourWritesTests {
    @Test func aWriteThenAReadNeverSeesTheOldValue() async throws {
        let fixture = try await ManualBroker.start()
        let client = try await fixture.client()
        let root = try await client.root
        #expect(try await root.status.health == "OK")  // cached from now on
        for i in 0..<100 {
            _ = try await client.call("set_health", .string("h\(i)"))
            #expect(try await root.status.health == .string("h\(i)"))
        }
        #expect(client.statistics.invalidations >= 100)
        await client.close()
        await fixture.stop()
    }

    @Test func aReplyWaitsForItsBroadcastsThenGivesUpAndFlushes() async throws {
        // A server whose broadcasts never reach this client: replies after a write carry a
        // msgid the client cannot reach, so it waits the timeout, drops its cache, proceeds.
        let fixture = try await ManualBroker.start()
        let deaf = DeafClientTransport(inner: fixture.transport.makeClient())
        let client = BrokerClient(
            transport: deaf, configuration: .init(readYourWritesTimeout: .milliseconds(200)))
        try await client.connect()
        let root = try await client.root
        let status = try #require(try await root.status.object)
        try await fixture.server.objUpdate(fixture.status, ["health": "poor"])
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try await client.call("echo", "x") == "x")
        #expect(clock.now - start >= .milliseconds(200))
        #expect(status.isObsolete)
        #expect(client.statistics.flushes == 1)
        #expect(try await client.root.status.health == "poor")
        await client.close()
        await fixture.stop()
    }
}

/// A client transport that drops every broadcast.
final class DeafClientTransport: ClientTransport {
    let inner: InProcessClientTransport
    let events: AsyncStream<TransportEvent>
    private let continuation: AsyncStream<TransportEvent>.Continuation

    init(inner: InProcessClientTransport) {
        self.inner = inner
        (events, continuation) = AsyncStream.makeStream(of: TransportEvent.self)
    }

    func connect() async throws { try await inner.connect() }
    func call(_ request: [UInt8]) async throws -> [UInt8] { try await inner.call(request) }
    func close() async {
        await inner.close()
        continuation.finish()
    }
}
