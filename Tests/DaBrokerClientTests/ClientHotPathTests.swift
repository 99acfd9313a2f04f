import DaBrokerClient
import DaBrokerCore
import DaBrokerServerTestSupport
import Testing

/// Cached reads take no network round trip: the server sees no request, and they are fast
/// (figures printed; the bound asserted here is loose, for debug builds on a shared machine).
@Suite("Client: cached reads")
struct ClientHotPathTests {
    static func p50(_ n: Int = 20_000, _ body: () async throws -> Void) async rethrows -> Duration {
        let clock = ContinuousClock()
        var samples: [Duration] = []
        samples.reserveCapacity(n)
        for _ in 0..<n {
            let start = clock.now
            try await body()
            samples.append(clock.now - start)
        }
        samples.sort()
        return samples[n / 2]
    }

    @Test func cachedReadsSendNothing() async throws {
        let fixture = try await ManualBroker.start()
        let client = try await fixture.client()
        let root = try await client.root
        let status = try #require(try await root.status.object)
        let items = try await client.model("Item")
        _ = try await items.get(["id": 1])
        let searches = fixture.items.searchCount
        let misses = client.statistics.misses

        let byKey = await Self.p50 { _ = client.cachedObject(for: status.key) }
        let byRef = try await Self.p50 { _ = try await client.get(status.ref) }
        let chained = try await Self.p50 { _ = try await root.status.health.value }
        let modelGet = try await Self.p50 { _ = try await items.get(["id": 1]) }
        print(
            "cached p50: cachedObject(for:) \(byKey), get(ref) \(byRef), root.status.health \(chained), "
                + "model.get \(modelGet)")
        #expect(client.statistics.misses == misses)
        #expect(fixture.items.searchCount == searches)
        await client.close()
        await fixture.stop()
    }
}
