import DaBrokerAMQP
import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import DaBrokerTestSupport
import Foundation
import Synchronization
import Testing

/// Issue 10, part 4: faults of shared services under write load. These disturb the shared
/// stack (they kill database sessions and stop RabbitMQ), so the integrator runs them apart,
/// one at a time, after the main run.
@Suite("Faults of shared services", .serialized)
struct FaultDisruptiveTests {
    /// A flag the load loops poll.
    final class Stop: Sendable {
        private let flag = Mutex(false)
        func set() { flag.withLock { $0 = true } }
        var isSet: Bool { flag.withLock { $0 } }
    }

    static func counterTable(_ db: Database) async throws {
        let q = db.dialect.quote
        _ = try await db.execute(
            "CREATE TABLE \(q("rel_counter")) (\(q("id")) INTEGER NOT NULL PRIMARY KEY, \(q("n")) BIGINT NOT NULL)")
        _ = try await db.execute("INSERT INTO \(q("rel_counter")) VALUES (1, 0)")
    }

    static func counterValue(_ db: Database) async throws -> Int64 {
        let q = db.dialect.quote
        guard
            case .int(let n)? = try await db.execute("SELECT \(q("n")) FROM \(q("rel_counter")) WHERE \(q("id")) = 1")
                .rows.first?[0]
        else { throw BrokerError.internal("no counter") }
        return n
    }

    /// Runs `clients` counter loads until `stop`, calling `disturb` meanwhile.
    static func loadWhile(
        clients: [CounterLoad], _ disturb: @escaping @Sendable () async throws -> Void
    ) async throws -> CounterLoad.Tally {
        let stop = Stop()
        return try await withThrowingTaskGroup(of: CounterLoad.Tally?.self) { group in
            for load in clients { group.addTask { await load.run(attempts: .max, until: { stop.isSet }) } }
            group.addTask {
                defer { stop.set() }
                try await disturb()
                return nil
            }
            var sum = CounterLoad.Tally()
            for try await t in group { if let t { sum.add(t) } }
            return sum
        }
    }

    /// Acknowledged writes are all in the database and none is applied twice: the counter moved
    /// by the successes, plus at most the attempts whose outcome the client could not know, plus
    /// at most `redelivered` writes a killed server committed but never acknowledged (RabbitMQ
    /// gives them to another server, which finds the row changed and answers `StaleData`).
    static func checkCounter(
        _ label: String, start: Int64, final: Int64, _ t: CounterLoad.Tally, redelivered: Int = 0
    ) {
        let moved = final - start
        print("[reliability] \(label): \(t); counter moved \(moved)")
        #expect(moved >= Int64(t.successes), "\(label): acknowledged writes lost")
        #expect(moved <= Int64(t.successes + t.failed + redelivered), "\(label): writes applied twice")
        #expect(t.successes > 0)
    }

    @Test(
        "database sessions killed under write load: in-flight calls fail cleanly, the pool recovers",
        arguments: RelBackend.available.filter { $0 != .sqlite })
    func databaseSessionsKilled(_ backend: RelBackend) async throws {
        let name = "fault_\(backend.rawValue)"
        let url = try await backend.createDatabase(name)
        let db = try await Database.open(url: url, options: DatabaseOptions(maxConnections: 4))
        try await Self.counterTable(db)
        let s = try await RelServer.start(db: db) { loader, root in
            try loader.addModel("rel_counter", into: root, rw: .readWrite)
        }
        let row = s.rowRef("rel_counter", 1)
        let loads = (0..<4).map { _ in
            let c = s.transport.makeClient()
            return (c, CounterLoad(row: row, column: "n", send: { try await c.call($0) }))
        }
        for (c, _) in loads { try await c.connect() }
        let clock = ContinuousClock()
        let killedAt = SharedMutex<[ContinuousClock.Instant]>([])
        let tally = try await Self.loadWhile(clients: loads.map(\.1)) {
            for _ in 0..<3 {
                try await Task.sleep(for: .seconds(1))
                killedAt.withLock { $0.append(clock.now) }
                switch backend {
                case .postgres: try await TestStack.run("kill-postgres-connections", "rel_" + name)
                default: try await TestStack.run("kill-mariadb-connections", "rel_" + name)
                }
            }
            try await Task.sleep(for: .seconds(1.5))
        }
        let kills = killedAt.withLock { $0 }
        let recoveries = kills.map { tally.recovery(after: $0, window: .milliseconds(900)) }
        print(
            "[reliability] \(backend): recovery after each kill (first success after the last failure): \(recoveries)")
        #expect(recoveries.allSatisfy { $0 != nil })
        let final = try await Self.counterValue(db)
        Self.checkCounter("\(backend) sessions killed 3×", start: 0, final: final, tally)
        for (kind, _) in tally.failedKinds {
            #expect(["Unavailable", "Internal"].contains(kind), "in-flight failure of kind \(kind)")
        }
        let probeStart = clock.now
        var recovered: Duration?
        for _ in 0..<200 {
            if (try? await s.call("get", args: [.ref(row)])) != nil {
                recovered = clock.now - probeStart
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(recovered != nil, "the pool did not recover")
        print(
            "[reliability] \(backend): get works \(String(describing: recovered)) after the load; failures \(tally.failureMessages)"
        )
        for (c, _) in loads { await c.close() }
        await s.stop()
        await db.close()
        await backend.dropDatabase(name)
    }

    @Test(
        "RabbitMQ stopped and started under write load: no acknowledged write lost or doubled",
        .enabled(if: TestServices.isAvailable(.amqp)))
    func rabbitRestarted() async throws {
        let name = "fault_rabbit"
        let url = try await RelBackend.sqlite.createDatabase(name)
        let db = try await Database.open(url: url)
        try await Self.counterTable(db)
        let c = try StackHelper.amqp(callTimeout: .seconds(3))
        let amqpServer = AMQPServerTransport(configuration: StackHelper.named(c, "server"))
        let s = try await RelServer.start(db: db, extraTransport: amqpServer) { loader, root in
            try loader.addModel("rel_counter", into: root, rw: .readWrite)
        }
        let row = s.rowRef("rel_counter", 1)
        var clients: [AMQPClientTransport] = []
        for i in 0..<4 {
            let client = AMQPClientTransport(configuration: StackHelper.named(c, "client\(i)"))
            try await client.connect()
            clients.append(client)
        }
        let clock = ContinuousClock()
        let stoppedAt = SharedMutex<ContinuousClock.Instant?>(nil)
        let times = SharedMutex<(stop: Duration, start: Duration, upAt: ContinuousClock.Instant?)>((.zero, .zero, nil))
        let tally = try await Self.loadWhile(
            clients: clients.map { cl in CounterLoad(row: row, column: "n", send: { try await cl.call($0) }) }
        ) {
            try await Task.sleep(for: .seconds(2))
            let t0 = clock.now
            try await TestStack.run("stop-rabbit-app")
            let t1 = clock.now
            try await Task.sleep(for: .seconds(1))
            try await TestStack.run("start-rabbit-app")
            let t2 = clock.now
            times.withLock { $0 = (t1 - t0, t2 - t1, t2) }
            stoppedAt.withLock { $0 = t0 }
            try await Task.sleep(for: .seconds(6))
        }
        let final = try await Self.counterValue(db)
        Self.checkCounter("RabbitMQ stop/start", start: 0, final: final, tally)
        // After the app is back, a call goes through again: how long that took.
        let upAt = times.withLock { $0.upAt }
        var recovered: Duration?
        let codec = JSONCodec()
        for _ in 0..<300 {
            if let r = try? await clients[0].call(codec.encode(Request(method: "ping").message)),
                (try? codec.decode(r))?.error == nil
            {
                recovered = upAt.map { clock.now - $0 }
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(recovered != nil)
        let t = times.withLock { $0 }
        let writesBack = upAt.flatMap { tally.recovery(after: $0, window: .seconds(5)) }
        let sinceStop = stoppedAt.withLock { $0 }.flatMap { tally.recovery(after: $0, window: .seconds(10)) }
        print(
            "[reliability] RabbitMQ: writes succeed again \(String(describing: writesBack)) after start-rabbit-app "
                + "returned, \(String(describing: sinceStop)) after stop-rabbit-app began")
        #expect(writesBack != nil)
        print(
            "[reliability] RabbitMQ: stop-rabbit-app took \(t.stop), down for \(t.start) (incl. start-rabbit-app); "
                + "ping answered \(String(describing: recovered)) after start-rabbit-app returned; "
                + "failures \(tally.failureMessages)")
        for cl in clients { await cl.close() }
        await s.stop()
        await db.close()
        await StackHelper.cleanUp(c)
        await RelBackend.sqlite.dropDatabase(name)
    }
}
