import DaBrokerClient
import DaBrokerCore
import DaBrokerServer
import DaBrokerServerTestSupport
import Testing

@testable import DaBrokerHTTP

/// `BrokerClient` over the HTTP transport: the manual's end-to-end scenario, cache
/// invalidation across clients, read-your-writes and resynchronisation.
@Suite("BrokerClient over HTTP")
struct HTTPBrokerClientTests {
    @Test("the manual's session: root, status.health, login, hello, echo, unknown command")
    func manualSession() async throws {
        let broker = try await ManualBroker()
        let client = try await broker.client()
        let root = try await client.root
        #expect(root.key == ObjectKey(["static", "root"]))
        #expect(try root.version_string.value == "0.12.3")
        #expect(try root.version_tuple.value == [0, 12, 3])
        #expect(try await root.status.health == "OK")
        #expect(try await root.status.servers.value == ["joe", "curly", "moe"])
        let status = try #require(try await root.status.object)
        #expect(try await root.status.object === status)
        #expect(try await root.meta().info?.calls["login"] != nil)

        let reply = try await root.login("jane", "sing a song and whist1e")
        let realRoot = try #require(try await client.object(from: reply))
        #expect(try realRoot.user.value == "jane")
        let refused = await #expect(throws: BrokerError.self) { try await root.login("joe", "x") }
        #expect(refused?.kind == .accessDenied)
        let unknown = await #expect(throws: BrokerError.self) { try await root.logout() }
        #expect(unknown?.kind == .unknownCommand)
        #expect(try await client.call("hello", "you") == "hello you")
        #expect(try await client.call("echo", "hi") == "hi")

        let items = try await client.model("Item")
        #expect(try await items.get(["id": 3]).name == "item 3")
        #expect(try await items.find(limit: 2).count == 2)
        #expect(try await items.count() == 5)
        await client.close()
        await broker.stop()
    }

    @Test("a change made through one client invalidates another client's cache and reaches an SSE reader")
    func crossClientInvalidation() async throws {
        let broker = try await ManualBroker()
        let reader = try await SSETestReader(port: broker.port)
        await reader.waitForEvents(1)
        let writer = try await broker.client()
        let watcher = try await broker.client()
        let watchedRoot = try await watcher.root
        let cached = try #require(try await watchedRoot.status.object)
        #expect(try cached.health.value == "OK")

        #expect(try await writer.call("set_health", "poor") == true)
        // Read-your-writes: the writer's next read already sees the change.
        #expect(try await writer.root.status.health == "poor")

        let events = await reader.waitForEvents(2)
        let invalidation = String(decoding: events.last?.data ?? [], as: UTF8.self)
        #expect(invalidation.contains("invalid_key"))
        #expect(invalidation.contains("poor"))
        #expect(events.last?.id == "1")

        try await watcher.synchronize()
        #expect(cached.isObsolete)
        #expect(watcher.cachedObject(for: cached.key) == nil)
        #expect(try await watchedRoot.status.health == "poor")
        await writer.close()
        await watcher.close()
        await reader.close()
        await broker.stop()
    }

    @Test("a stream that cannot resume makes BrokerClient drop its cache")
    func resyncDropsCache() async throws {
        let broker = try await ManualBroker(http: .init(eventBufferSize: 1))
        let client = try await broker.client()
        let root = try await client.root
        let status = try #require(try await root.status.object)
        #expect(client.cachedObject(for: status.key) != nil)

        broker.http.disconnectEventStreams()
        for id in 101...103 {
            try await broker.http.broadcast(Array(#"{"data":{"_m":"noop"},"msgid":\#(id)}"#.utf8), msgid: Int64(id))
        }
        // The client reconnects with a Last-Event-ID older than the one-event buffer.
        let deadline = ContinuousClock.now + .seconds(5)
        while client.cachedObject(for: status.key) != nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(client.cachedObject(for: status.key) == nil)
        #expect(status.isObsolete)
        #expect(try await client.root.status.health == "OK")
        await client.close()
        await broker.stop()
    }

    @Test("models over HTTP: new, update, stale update, delete; the other client's cache follows")
    func tableOperations() async throws {
        let broker = try await ManualBroker()
        let a = try await broker.client()
        let b = try await broker.client()
        let albumsA = try await a.model("album")
        let albumsB = try await b.model("album")
        #expect(try await albumsB.count() == 3)
        let blueB = try await albumsB.get(["id": 2])
        #expect(try blueB.title.value == "Blue")

        let created = try await albumsA.new(["title": "Green"])
        #expect(try created.id.value == 4)
        try await b.synchronize()
        #expect(try await albumsB.count() == 4)

        let blueA = try await albumsA.get(["id": 2])
        let navy = try await albumsA.update(blueA, ["title": "Navy"])
        #expect(try navy.title.value == "Navy")
        try await b.synchronize()
        #expect(blueB.isObsolete)
        #expect(try await albumsB.get(["id": 2]).title.value == "Navy")
        let stale = await #expect(throws: BrokerError.self) { try await albumsB.update(blueB, ["title": "Black"]) }
        #expect(stale?.kind == .staleData)

        try await albumsA.delete(created)
        try await b.synchronize()
        #expect(try await albumsB.count() == 3)
        let gone = await #expect(throws: BrokerError.self) { try await albumsB.get(["id": 4]) }
        #expect(gone?.kind == .noData)
        await a.close()
        await b.close()
        await broker.stop()
    }
}
