import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import DaBrokerTestSupport
import Foundation
import Synchronization
import Testing

@testable import DaBrokerAMQP

/// Issue 10, part 5: each limit at its edge and one beyond it.
@Suite("Limits")
struct LimitsTests {
    /// A server with a static root only (no database), for limits that need no SQL.
    static func bareServer(
        _ configuration: BrokerServerConfiguration, extra: (any ServerTransport)? = nil,
        _ configure: (BrokerServer) -> Void = { _ in }
    ) async throws -> (BrokerServer, InProcessClientTransport) {
        let server = BrokerServer(configuration: configuration)
        let transport = InProcessServerTransport()
        server.addTransport(transport)
        if let extra { server.addTransport(extra) }
        configure(server)
        try await server.start()
        let client = transport.makeClient()
        try await client.connect()
        return (server, client)
    }

    static func call(_ client: some ClientTransport, _ r: Request) async throws -> Message {
        let codec = JSONCodec()
        return try codec.decode(try await client.call(codec.encode(r.message)))
    }

    @Test("maximum message size: 16 MiB is decoded, one byte more is a BadRequest")
    func messageSize() async throws {
        let (server, client) = try await Self.bareServer(.init(secret: "limits"))
        let limit = CodecLimits.default.maxMessageBytes
        let head = #"{"data":{"_m":"echo","_a":{"_o":"LIST","_d":[""#
        let tail = #""]}}}"#
        func message(total: Int) -> [UInt8] {
            Array(head.utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: total - head.utf8.count - tail.utf8.count)
                + Array(tail.utf8)
        }
        let atEdge = message(total: limit)
        #expect(atEdge.count == limit)
        // The reply echoes the 16 MiB string plus an envelope: read it with room to spare.
        let roomy = JSONCodec(limits: CodecLimits(maxMessageBytes: 32 << 20, maxStringBytes: 32 << 20))
        let ok = try roomy.decode(try await client.call(atEdge))
        #expect(ok.error == nil)
        if case .string(let s) = ok.data { #expect(s.utf8.count == limit - head.utf8.count - tail.utf8.count) }
        let beyond = try JSONCodec().decode(try await client.call(message(total: limit + 1)))
        #expect(beyond.error?.kind == .badRequest)
        #expect(beyond.error?.message.contains("\(limit)") == true, "\(String(describing: beyond.error))")
        #expect(try await Self.call(client, Request(method: "ping")).error == nil)
        await client.close()
        await server.stop()
    }

    @Test("maximum find limit: _limit up to the cap is kept, beyond it is capped, negative is refused")
    func findLimit() async throws {
        let url = try await RelBackend.sqlite.createDatabase("limit_find")
        let db = try await Database.open(url: url)
        let q = db.dialect.quote
        _ = try await db.execute("CREATE TABLE \(q("rel_item")) (\(q("id")) INTEGER NOT NULL PRIMARY KEY)")
        for i in 1...60 { _ = try await db.execute("INSERT INTO \(q("rel_item")) VALUES (\(i))") }
        let s = try await RelServer.start(db: db, configuration: .init(secret: "limits", maxFindLimit: 50)) {
            loader, root in try loader.addModel("rel_item", into: root)
        }
        let table = try await s.table("rel_item")
        func found(_ limit: Value?) async throws -> Message {
            var named: [String: Value] = ["_mt": true]
            if let limit { named["_limit"] = limit }
            return try await s.request(
                "_dab_search", target: table, named: .init(uniqueKeysWithValues: named.sorted { $0.key < $1.key }))
        }
        func count(_ m: Message) -> Int? { if case .list(let l) = m.data { l.count } else { nil } }
        #expect(count(try await found(.int(1))) == 1)
        #expect(count(try await found(.int(49))) == 49)
        #expect(count(try await found(.int(50))) == 50)
        #expect(count(try await found(.int(51))) == 50)
        #expect(count(try await found(.int(Int64.max))) == 50)
        #expect(count(try await found(nil)) == 50)
        let negative = try await found(.int(-1))
        #expect(negative.error?.kind == .badRequest)
        let text = try await found("10")
        #expect(text.error?.kind == .badRequest)
        await s.stop()
        await db.close()
        await RelBackend.sqlite.dropDatabase("limit_find")
    }

    @Test("request concurrency: at most N requests run at once; the rest wait and all finish")
    func concurrency() async throws {
        let gauge = PeakGauge()
        let (server, client) = try await Self.bareServer(.init(secret: "limits", maxConcurrentRequests: 3)) { server in
            server.register("slow") { _ in
                gauge.enter()
                try await Task.sleep(for: .milliseconds(150))
                gauge.leave()
                return .value(true)
            }
        }
        let clock = ContinuousClock()
        for (requests, expectedPeak) in [(3, 3), (12, 3)] {
            gauge.reset()
            let started = clock.now
            let errors = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<requests {
                    group.addTask { try await Self.call(client, Request(method: "slow")).error != nil }
                }
                var n = 0
                for try await failed in group where failed { n += 1 }
                return n
            }
            let elapsed = clock.now - started
            #expect(errors == 0)
            // Never more than the limit; how close to it the peak gets depends on scheduling.
            #expect(gauge.peak <= expectedPeak)
            #expect(gauge.peak >= 1)
            // 12 requests, 3 at a time, 150 ms each: at least 4 rounds.
            #expect(elapsed >= .milliseconds(150 * ((requests + 2) / 3)) - .milliseconds(20))
            print("[reliability] concurrency limit 3: \(requests) requests, peak \(gauge.peak), \(elapsed)")
        }
        await client.close()
        await server.stop()
    }

    @Test(
        "call timeout (AMQP client): a reply within the timeout arrives, a slower one is Unavailable",
        .enabled(if: TestServices.isAvailable(.amqp)))
    func callTimeout() async throws {
        var c = try AMQPConfiguration(url: TestServices.url(for: .amqp)).withOwnNames(prefix: "rel")
        c.callTimeout = .seconds(1)
        let amqpServer = AMQPServerTransport(configuration: c)
        // The slow call is answered only once the client has given up, however late its timer
        // fires on a loaded machine: the order is what this test is about.
        let gaveUp = Atomic<Bool>(false)
        let (server, local) = try await Self.bareServer(.init(secret: "limits"), extra: amqpServer) { server in
            server.register("sleep") { args in
                try await Task.sleep(for: .milliseconds(try args.int(0, method: "sleep")))
                return .value("slept")
            }
            server.register("untilGivenUp") { _ in
                var polls = 0
                while !gaveUp.load(ordering: .relaxed) && polls < 600 {
                    try await Task.sleep(for: .milliseconds(100))
                    polls += 1
                }
                return .value("late")
            }
        }
        let client = AMQPClientTransport(configuration: c)
        try await client.connect()
        let fast = try await Self.call(client, Request(method: "sleep", args: [.int(20)]))
        #expect(fast.data == "slept")
        let clock = ContinuousClock()
        let started = clock.now
        do {
            _ = try await Self.call(client, Request(method: "untilGivenUp"))
            Issue.record("a call slower than the timeout got a reply")
        } catch let e as BrokerError {
            #expect(e.kind == .unavailable)
            #expect(!e.message.isEmpty)
        }
        gaveUp.store(true, ordering: .relaxed)
        let waited = clock.now - started
        #expect(waited >= .milliseconds(900) && waited < .seconds(30), "waited \(waited)")
        print("[reliability] AMQP call timeout 1 s: slow call failed after \(waited)")
        // The client still works afterwards (the late reply is dropped).
        try await Task.sleep(for: .seconds(2))
        #expect(try await Self.call(client, Request(method: "ping")).error == nil)
        await client.close()
        await local.close()
        await server.stop()
        _ = try? await Task.detached {
            let session = try AMQPSession(configuration: c)
            try session.deleteQueue(c.queue)
            try session.deleteExchange(c.exchange)
        }.value
    }

    @Test(
        "statement timeout: a statement under it runs, one over it fails cleanly and the pool goes on",
        arguments: RelBackend.available.filter { $0 != .mariadb })
    func statementTimeout(_ backend: RelBackend) async throws {
        let name = "stmt_\(backend.rawValue)"
        let url = try await backend.createDatabase(name)
        let db = try await Database.open(
            url: url, options: DatabaseOptions(maxConnections: 2, statementTimeout: .milliseconds(500)))
        let (server, client) = try await Self.bareServer(.init(secret: "limits")) { server in
            server.register("busy") { args in
                let ms = try args.int(0, method: "busy")
                let sql: String
                switch backend {
                case .postgres: sql = "SELECT pg_sleep(\(Double(ms) / 1000))"
                default:
                    // Work proportional to ms (about 1e4 rows per ms in a debug build).
                    sql =
                        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < \(ms * 20_000)) SELECT count(*) FROM c"
                }
                _ = try await db.execute(sql)
                return .value("done")
            }
        }
        let clock = ContinuousClock()
        // Far under the limit even on a loaded machine (SQLite's work is CPU-bound here).
        let quick = try await Self.call(client, Request(method: "busy", args: [.int(1)]))
        #expect(quick.error == nil, "\(String(describing: quick.error))")
        let started = clock.now
        let slow = try await Self.call(client, Request(method: "busy", args: [.int(5000)]))
        let took = clock.now - started
        // Not the request's fault, and it may or may not have run: Unavailable, never Internal.
        #expect(slow.error?.kind == .unavailable)
        #expect(slow.error?.message.contains("timeout") == true)
        #expect(took < .seconds(5), "the statement ran \(took) despite a 500 ms timeout")
        print(
            "[reliability] statement timeout 500 ms on \(backend): slow call ended after \(took) with \(String(describing: slow.error))"
        )
        // The pool goes on: a quick statement runs again. The timeout is wall-clock time, so on
        // a machine loaded by the rest of the suite even a quick one can be descheduled past
        // 500 ms; it must succeed within three tries, never fail for good.
        var again = try await Self.call(client, Request(method: "busy", args: [.int(1)]))
        for _ in 0..<2 where again.error != nil {
            again = try await Self.call(client, Request(method: "busy", args: [.int(1)]))
        }
        #expect(again.error == nil, "\(String(describing: again.error))")
        await client.close()
        await server.stop()
        await db.close()
        await backend.dropDatabase(name)
    }
}

/// Counts how many calls run at once, and the most seen.
final class PeakGauge: Sendable {
    private let state = Mutex<(running: Int, peak: Int)>((0, 0))
    func enter() {
        state.withLock {
            $0.running += 1
            $0.peak = max($0.peak, $0.running)
        }
    }
    func leave() { state.withLock { $0.running -= 1 } }
    func reset() { state.withLock { $0.peak = 0 } }
    var peak: Int { state.withLock { $0.peak } }
}
