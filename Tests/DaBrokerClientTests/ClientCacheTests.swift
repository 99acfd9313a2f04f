import DaBrokerClient
import DaBrokerCore
import DaBrokerServer
import DaBrokerServerTestSupport
import Testing

/// The client cache against a live in-process server: counters, the LRU bound,
/// invalidation, cached searches, two clients, resynchronisation.
@Suite("Client: cache")
struct ClientCacheTests {
    @Test func hitsAndMissesAreCounted() async throws {
        let fixture = try await ManualBroker.start()
        let client = try await fixture.client()
        let root = try await client.root
        let statusRef = try #require(try root.status.value.refValue)
        let before = client.statistics
        _ = try await client.get(statusRef)  // miss: fetched
        _ = try await client.get(statusRef)  // hit
        _ = try await client.get(statusRef)  // hit
        let after = client.statistics
        #expect(after.objectMisses - before.objectMisses == 1)
        #expect(after.objectHits - before.objectHits == 2)
        #expect(client.cachedObject(for: statusRef.key) != nil)
        await client.close()
        await fixture.stop()
    }

    @Test func theCacheIsBoundedWithLRUEviction() async throws {
        let fixture = try await ManualBroker.start()
        let client = try await fixture.client(cacheSize: 3)
        let items = try await client.model("Item")
        var seen: [ClientObject] = []
        for id in 1...5 { seen.append(try await items.get(["id": .int(Int64(id))])) }
        let stats = client.statistics
        #expect(stats.objects <= 3)
        #expect(stats.cachedCalls <= 3)
        #expect(stats.evictions > 0)
        // The most recent ones are still there; the first was evicted, not invalidated.
        #expect(client.cachedObject(for: seen[4].key) === seen[4])
        #expect(client.cachedObject(for: seen[0].key) == nil)
        #expect(!seen[0].isObsolete)
        await client.close()
        await fixture.stop()
    }

    @Test func cachedSearchesAreServedLocallyUntilTheTableChanges() async throws {
        let fixture = try await ManualBroker.start()
        let client = try await fixture.client()
        let items = try await client.model("Item")
        let first = try await items.find(["name": "item 2"])
        #expect(first.count == 1)
        #expect(try await items.count() == 5)
        let searches = fixture.items.searchCount
        // Repeated: answered from the cache, same instances.
        let again = try await items.find(["name": "item 2"])
        #expect(again.first === first.first)
        #expect(try await items.count() == 5)
        #expect(fixture.items.searchCount == searches)
        #expect(client.statistics.callHits >= 2)

        // A change to any Item drops the table's cached searches.
        _ = try await client.call("rename_item", 4, "four")
        #expect(try await items.find(["name": "four"]).count == 1)
        #expect(fixture.items.searchCount > searches)
        await client.close()
        await fixture.stop()
    }

    @Test func getIsExactlyOne() async throws {
        let fixture = try await ManualBroker.start()
        let client = try await fixture.client()
        let items = try await client.model("Item")
        #expect(try await items.get(["id": 3]).name == "item 3")
        let none = await #expect(throws: BrokerError.self) { try await items.get(["id": 99]) }
        #expect(none?.kind == .noData)
        let many = await #expect(throws: BrokerError.self) { try await items.get([:]) }
        #expect(many?.kind == .manyData)
        let missing = await #expect(throws: BrokerError.self) { try await client.model("Nope") }
        #expect(missing?.kind == .noData)
        await client.close()
        await fixture.stop()
    }

    @Test func aChangeSeenByOneClientInvalidatesTheOthersObjectsAndSearches() async throws {
        let fixture = try await ManualBroker.start()
        let alice = try await fixture.client()
        let bob = try await fixture.client()
        let aliceItems = try await alice.model("Item")
        let bobItems = try await bob.model("Item")
        let bobsItem = try await bobItems.get(["id": 1])
        let bobsFind = try await bobItems.find(["name": "item 1"])
        #expect(bobsFind.count == 1)

        // Alice causes the change (through a server call); Bob's copies go obsolete.
        _ = try await alice.call("rename_item", 1, "renamed")
        #expect(try await aliceItems.get(["id": 1]).name == "renamed")
        try await bob.synchronize()
        #expect(bobsItem.isObsolete)
        #expect(bob.cachedObject(for: bobsItem.key) == nil)
        #expect(try await bobItems.find(["name": "item 1"]).isEmpty)
        #expect(try await bobItems.get(["id": 1]).name == "renamed")
        await alice.close()
        await bob.close()
        await fixture.stop()
    }

    @Test func resynchronizeDropsTheWholeCache() async throws {
        let fixture = try await ManualBroker.start()
        let (client, transport) = try await fixture.clientAndTransport()
        let root = try await client.root
        let status = try #require(try await root.status.object)
        #expect(client.statistics.objects >= 2)
        transport.simulateReconnect()
        try await client.synchronize()
        var flushed = false
        for _ in 0..<100 where !flushed {
            flushed = client.statistics.objects == 0 && status.isObsolete
            if !flushed { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(flushed)
        #expect(client.statistics.flushes >= 1)
        #expect(try await client.root.status.health == "OK")
        await client.close()
        await fixture.stop()
    }
}

extension Value {
    var refValue: Ref? {
        if case .ref(let r) = self { return r }
        return nil
    }
}
