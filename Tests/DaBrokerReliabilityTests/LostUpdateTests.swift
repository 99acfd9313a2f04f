import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import Foundation
import Testing

/// Issue 10, part 3: 8 clients × 500 updates with old-value checks on one counter row. Every
/// attempt ends as a success or a `StaleData`, and the final value is the start plus the
/// successes: no update is lost, none applied twice.
@Suite("No lost updates")
struct LostUpdateTests {
    static let clients = 8
    /// The issue's 500; `DABROKER_REL_UPDATES` overrides it (for a quicker local run).
    static let updatesPerClient = ProcessInfo.processInfo.environment["DABROKER_REL_UPDATES"].flatMap { Int($0) } ?? 500

    @Test("8 clients × 500 checked updates on one counter", arguments: RelBackend.available)
    func counter(_ backend: RelBackend) async throws {
        let name = "lost_\(backend.rawValue)"
        let url = try await backend.createDatabase(name)
        let db = try await Database.open(url: url)
        let q = db.dialect.quote
        _ = try await db.execute(
            "CREATE TABLE \(q("rel_counter")) (\(q("id")) INTEGER NOT NULL PRIMARY KEY, \(q("n")) BIGINT NOT NULL)")
        _ = try await db.execute("INSERT INTO \(q("rel_counter")) VALUES (1, 1000)")
        let s = try await RelServer.start(db: db) { loader, root in
            try loader.addModel("rel_counter", into: root, rw: .readWrite)
        }
        let row = s.rowRef("rel_counter", 1)
        var clients: [InProcessClientTransport] = []
        for _ in 0..<Self.clients {
            let c = s.transport.makeClient()
            try await c.connect()
            clients.append(c)
        }
        let clock = ContinuousClock()
        let started = clock.now
        let total = await withTaskGroup(of: CounterLoad.Tally.self) { group in
            for c in clients {
                let load = CounterLoad(row: row, column: "n", send: { try await c.call($0) })
                group.addTask { await load.run(attempts: Self.updatesPerClient) }
            }
            var sum = CounterLoad.Tally()
            for await t in group { sum.add(t) }
            return sum
        }
        let elapsed = clock.now - started
        let final = try await db.execute("SELECT \(q("n")) FROM \(q("rel_counter")) WHERE \(q("id")) = 1").rows.first?[
            0]
        print("[reliability] lost-updates \(backend): \(total) in \(elapsed); final \(String(describing: final))")
        #expect(total.attempts == Self.clients * Self.updatesPerClient)
        #expect(total.successes + total.stale == total.attempts, "\(total.failureMessages)")
        #expect(total.failed == 0)
        #expect(final == .int(1000 + Int64(total.successes)))
        #expect(total.successes > 0)
        for c in clients { await c.close() }
        await s.stop()
        await db.close()
        await backend.dropDatabase(name)
    }
}
