import DaBrokerClient
import DaBrokerCore
import DaBrokerServer
import DaBrokerServerTestSupport
import Testing

/// The server manual's example, read through `BrokerClient` as the manual's client reads it.
@Suite("Client: the manual's example")
struct ManualExampleClientTests {
    @Test func rootStatusHealthReadsLikeTheManual() async throws {
        let fixture = try await ManualBroker.start()
        let client = try await fixture.client()
        let root = try await client.root
        #expect(root.key == ObjectKey(["static", "root"]))
        #expect(try await root.status.health == "OK")
        #expect(try await root.status.health.value == "OK")
        #expect(try root.version_string.value == "0.12.3")
        #expect(try root.version_tuple.value == [0, 12, 3])
        #expect(try await root.status.servers.value == ["joe", "curly", "moe"])
        let status = try #require(try await root.status.object)
        #expect(status.key == ObjectKey(["static", "status", 0]))
        // The ref resolves through the cache: the same instance every time.
        #expect(try await root.status.object === status)
        #expect(try await root.meta().info?.calls["login"] != nil)
        await client.close()
        await fixture.stop()
    }

    @Test func loginAndServerLevelCalls() async throws {
        let fixture = try await ManualBroker.start()
        let client = try await fixture.client()
        let root = try await client.root
        let reply = try await root.login("jane", "sing a song and whist1e")
        let realRoot = try #require(try await client.object(from: reply))
        #expect(try realRoot.user.value == "jane")
        await #expect(throws: BrokerError.self) { try await root.login("joe", "x") }
        let refused = await #expect(throws: BrokerError.self) { try await root.logout() }
        #expect(refused?.kind == .unknownCommand)

        #expect(try await client.call("hello", "you") == "hello you")
        #expect(try await client.call("echo", "hi") == "hi")
        let unknown = await #expect(throws: BrokerError.self) { try await client.call("nonesuch") }
        #expect(unknown?.kind == .unknownCommand)
        await client.close()
        await fixture.stop()
    }

    @Test func serverUpdateIsSeenByTheClient() async throws {
        let fixture = try await ManualBroker.start()
        let client = try await fixture.client()
        let root = try await client.root
        let status = try #require(try await root.status.object)
        #expect(try status.health.value == "OK")

        // broker.obj_update(status, health="poor") on the server…
        try await fixture.server.objUpdate(fixture.status, ["health": "poor"])
        try await client.synchronize()
        // …invalidates the client's copy, and reading through the ref refetches.
        #expect(status.isObsolete)
        #expect(client.cachedObject(for: status.key) == nil)
        #expect(try await root.status.health == "poor")
        #expect(!root.isObsolete)
        await client.close()
        await fixture.stop()
    }

    @Test func replaceAndRefreshSequence() async throws {
        let fixture = try await ManualBroker.start()
        let server = fixture.server
        let client = try await fixture.client()
        var root = try await client.root
        let oldStatus = try #require(try await root.status.object)
        #expect(try oldStatus.health.value == "OK")

        // The manual's sequence: new status under a new sequence key, root points at it,
        // the old one is deleted.
        let newStatus = try await server.objNew(
            StaticObject(class: fixture.statusClass, values: ["health": "poor", "servers": .value(["joe"])]))
        try server.addStatic(newStatus, "status", 1)
        try await server.objUpdate(fixture.root, ["status": .object(newStatus)])
        try await server.objDelete(fixture.status)
        server.delStatic(fixture.status, "status", 0)
        try await client.synchronize()

        #expect(root.isObsolete)
        #expect(oldStatus.isObsolete)
        // root = root._key(): refresh through the key.
        root = try await root.ref.resolve(with: client)
        #expect(!root.isObsolete)
        #expect(try await root.status.object?.key == ObjectKey(["static", "status", 1]))
        #expect(try await root.status.health == "poor")
        // The old status is gone on the server.
        let gone = await #expect(throws: BrokerError.self) { try await client.refresh(oldStatus) }
        #expect(gone?.kind == .noData)
        await client.close()
        await fixture.stop()
    }
}

@Suite("Client: back-references")
struct BackrefClientTests {
    @Test func backrefsAreAnAsyncSequenceOfObjects() async throws {
        let fixture = try await ManualBroker.start()
        let client = try await fixture.client()
        let root = try await client.root
        #expect(try await root.items.objects.count() == 5)
        var names: [Value] = []
        for try await item in root.items.objects { names.append(try item.name.value) }
        #expect(names == (1...5).map { .string("item \($0)") })
        // Elements are interned: the same instance as a model lookup gives.
        let third = try await root.items.objects.object(at: 2)
        #expect(try await client.model("Item").get(["id": 3]) === third)
        let outOfRange = await #expect(throws: BrokerError.self) { try await root.items.objects.object(at: 5) }
        #expect(outOfRange?.kind == .noData || outOfRange?.kind == .badRequest)
        await client.close()
        await fixture.stop()
    }
}

@Suite("Client: access codes")
struct AccessCodeClientTests {
    @Test func forgedMissingAndBorrowedCodesAreRefused() async throws {
        let fixture = try await ManualBroker.start()
        let client = try await fixture.client()
        let root = try await client.root
        let statusRef = try #require(try root.status.value.refValue)
        let fresh = try await fixture.client()  // an empty cache: every get asks the server
        for ref in [
            Ref(key: statusRef.key, code: "AAAAAAAAAAAA"), Ref(key: statusRef.key),
            Ref(key: statusRef.key, code: root.ref.code),
        ] {
            let refused = await #expect(throws: BrokerError.self) { try await fresh.get(ref) }
            #expect(refused?.kind == .accessDenied)
        }
        #expect(try await fresh.get(statusRef).health == "OK")
        await client.close()
        await fresh.close()
        await fixture.stop()
    }
}
