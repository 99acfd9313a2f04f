import DaBrokerAMQP
import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import DaBrokerTestSupport
import Foundation
import Synchronization
import Testing

/// Issue 10, part 4 (server crash): two `dabroker serve` processes consume one AMQP queue;
/// one is killed with SIGKILL under write load. Its in-flight calls end as `Unavailable` (call
/// timeout) or are answered by the other server after RabbitMQ redelivers them; the second
/// server serves the rest, and no acknowledged write is lost or applied twice.
@Suite("Server killed mid-load")
struct ServerKillTests {
    @Test(
        "SIGKILL one of two dabroker serve processes under load",
        .enabled(if: TestServices.isAvailable(.amqp) && TestServices.isAvailable(.postgres)))
    func killOneServer() async throws {
        let name = "kill"
        let url = try await RelBackend.postgres.createDatabase(name)
        let db = try await Database.open(url: url)
        let q = db.dialect.quote
        _ = try await db.execute(
            "CREATE TABLE \(q("rel_counter")) (\(q("id")) INTEGER NOT NULL PRIMARY KEY, \(q("n")) BIGINT NOT NULL)")
        _ = try await db.execute("INSERT INTO \(q("rel_counter")) VALUES (1, 0)")
        let amqp = try StackHelper.amqp(callTimeout: .seconds(2))
        let secret = "rel-kill-secret"
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("rel-kill-\(getpid()).yaml").path
        let yaml = """
            database: \(url)
            secret: \(secret)
            amqp:
              url: \(try TestServices.url(for: .amqp))
              queue: \(amqp.queue)
              exchange: \(amqp.exchange)
            tables:
              rel_counter:
                rw: true

            """
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        let key = ObjectKey([.string("sql"), .string("rel_counter"), .int(1)])
        let row = Ref(key: key, code: BrokerServer(configuration: .init(secret: secret)).codes.code(for: key))

        let a = try ChildProcess(Self.serve(config))
        #expect(await a.waitForOutput(containing: "rel_counter:") != nil)
        let b = try ChildProcess(Self.serve(config))
        #expect(await b.waitForOutput(containing: "rel_counter:") != nil)
        var clients: [AMQPClientTransport] = []
        for i in 0..<4 {
            let c = AMQPClientTransport(configuration: StackHelper.named(amqp, "client\(i)"))
            try await c.connect()
            clients.append(c)
        }
        // Both servers consume: pings are answered by two server ids.
        let codec = JSONCodec()
        var sids = Set<String>()
        let clock = ContinuousClock()
        let waitStart = clock.now
        while sids.count < 2 && clock.now - waitStart < .seconds(30) {
            if let r = try? await clients[0].call(codec.encode(Request(method: "ping").message)),
                let sid = (try? codec.decode(r))?.sid
            {
                sids.insert(sid)
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(sids.count == 2, "both servers answer")

        let killedAt = SharedMutex<ContinuousClock.Instant?>(nil)
        let stop = FaultDisruptiveTests.Stop()
        let tally = try await withThrowingTaskGroup(of: CounterLoad.Tally?.self) { group in
            for c in clients {
                let load = CounterLoad(row: row, column: "n", send: { try await c.call($0) })
                group.addTask { await load.run(attempts: .max, until: { stop.isSet }) }
            }
            group.addTask {
                defer { stop.set() }
                try await Task.sleep(for: .seconds(2))
                killedAt.withLock { $0 = clock.now }
                a.signal(SIGKILL)
                try await Task.sleep(for: .seconds(5))
                return nil
            }
            var sum = CounterLoad.Tally()
            for try await t in group { if let t { sum.add(t) } }
            return sum
        }
        let final = try await FaultDisruptiveTests.counterValue(db)
        // Each client has one call in flight: at most that many were committed by the killed
        // server and then redelivered.
        FaultDisruptiveTests.checkCounter("server SIGKILL", start: 0, final: final, tally, redelivered: clients.count)
        for kind in tally.failedKinds.keys { #expect(kind == "Unavailable", "in-flight call ended as \(kind)") }
        let killed = try #require(killedAt.withLock { $0 })
        let after = tally.successAt.filter { $0 > killed }.count
        #expect(after > 0, "the second server served the rest")
        let recovery = tally.recovery(after: killed, window: .seconds(4))
        print(
            "[reliability] server SIGKILL: \(tally.failed) calls failed (\(tally.failedKinds)), \(after) successes after the kill, "
                + "writes flow again \(String(describing: recovery)) after the kill")
        for c in clients { await c.close() }
        await a.stop()
        await b.stop()
        await db.close()
        await StackHelper.cleanUp(amqp)
        await RelBackend.postgres.dropDatabase(name)
        try? FileManager.default.removeItem(atPath: config)
    }

    /// `dabroker serve` over AMQP only, quiet.
    static func serve(_ config: String) -> [String] {
        ["serve", "--config", config, "--no-http", "--log-level", "error"]
    }
}
