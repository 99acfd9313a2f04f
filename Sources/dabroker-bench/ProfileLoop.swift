import DaBrokerClient
import DaBrokerCore
import DaBrokerSQL
import Foundation

/// `--profile N`: one gateway on a 1,000-row `bench_item` and one client, N get-by-key calls
/// (cache cleared) and N/10 find-50 calls, for a profiler (`perf record -g`, `perf stat`,
/// `perf sched`). Prints nothing but a line at the end, except with `compare`.
struct ProfileLoop {
    /// What the loop runs.
    enum Calls: String {
        /// N gets, then N/10 finds.
        case both
        case gets
        case finds
        /// N primary-key SELECTs through the driver on one connection: the get floor alone.
        case floor
        /// The get floor and get-by-key in interleaved rounds of 500; prints both p50s.
        case compare
        /// The codec alone on a recorded find-50 reply (``CodecLoop``).
        case codec
        /// N echo calls: the transport and the broker's dispatch without a database.
        case echoes
        /// The AMQP echo taken apart: raw and our client and server in turn (``AMQPParts``).
        case amqpparts
    }

    var calls: Int
    var kind = Calls.both
    /// `sqlite`, `postgres` or `mysql` (the server URLs come from the test stack's variables).
    var backend = "sqlite"
    /// `inprocess` or `http`.
    var transport = "inprocess"
    /// With `amqpparts`: the one part to run (its id, as `amqpparts` prints it), or all.
    var part: String?

    func run() async throws {
        let variables = ["postgres": "DABROKER_TEST_POSTGRES_URL", "mysql": "DABROKER_TEST_MYSQL_URL"]
        var base: String?
        if let variable = variables[backend] {
            guard let url = ProcessInfo.processInfo.environment[variable] else {
                throw BenchFailure("--profile-backend \(backend) needs \(variable)")
            }
            base = url
        }
        guard ["inprocess", "http"].contains(transport) else {
            throw BenchFailure("--profile-transport must be inprocess or http")
        }
        if kind == .codec { return try await CodecLoop(calls: calls).run() }
        if kind == .amqpparts {
            guard let url = ProcessInfo.processInfo.environment["DABROKER_TEST_AMQP_URL"] else {
                throw BenchFailure("--profile-calls amqpparts needs DABROKER_TEST_AMQP_URL")
            }
            return try await AMQPParts(calls: calls, url: url, only: part).run()
        }
        let database = try await BenchDatabase.prepare(backend: backend, base: base, rows: 1000)
        defer { database.cleanUp() }
        if kind == .floor {
            let conn = try await DatabaseConnector.connect(url: database.url, options: DatabaseOptions())
            for i in 0..<calls {
                _ = try await conn.execute(DriverFloors.selectPK(conn.dialect), [.int(Int64(i % 1000 + 1))])
            }
            await conn.close()
            print("profile loop done: \(calls) driver SELECTs by key (\(backend))")
            return
        }
        let gateway = try await BenchGateway(database: database, amqp: nil)
        let client = try await gateway.client(transport)
        let refs = (1...1000).map { gateway.rowRef($0) }
        if kind == .compare { try await compare(client, refs, database) }
        if kind == .echoes {
            for _ in 0..<calls { _ = try await client.call(Method.echo, "hi") }
        }
        let gets = kind == .both || kind == .gets ? calls : 0
        for i in 0..<gets {
            client.clearCache()
            _ = try await client.get(refs[i % refs.count])
        }
        let finds = kind == .finds ? calls : kind == .both ? calls / 10 : 0
        let model = try await client.model(BenchDatabase.table)
        for _ in 0..<finds {
            client.clearCache()
            _ = try await model.table.meta()
            _ = try await model.find([:], limit: 50)
        }
        await client.close()
        await gateway.stop()
        print("profile loop done: \(gets) get-by-key, \(finds) find50 (\(transport), \(backend))")
    }

    /// Rounds of 500 driver SELECTs and 500 gets, alternating, so that both see the same
    /// machine; the first round is a warm-up.
    private func compare(_ client: BrokerClient, _ refs: [Ref], _ database: BenchDatabase) async throws {
        let conn = try await DatabaseConnector.connect(url: database.url, options: DatabaseOptions())
        let sql = DriverFloors.selectPK(conn.dialect)
        var floor: [Double] = []
        var gets: [Double] = []
        for round in 0...max(1, calls / 500) {
            var i = 0
            let f = try await BenchStats.samples(500) {
                i = i % 1000 + 1
                _ = try await conn.execute(sql, [.int(Int64(i))])
            }
            let g = try await BenchStats.samples(500) {
                client.clearCache()
            } body: {
                i = i % refs.count + 1
                _ = try await client.get(refs[i - 1])
            }
            if round > 0 {
                floor += f
                gets += g
            }
        }
        await conn.close()
        let f = BenchStats.percentiles(floor)
        let g = BenchStats.percentiles(gets)
        let show = { (x: Double) in String(format: "%.1f", x) }
        print(
            "driver SELECT p50 \(show(f.p50)) µs, p99 \(show(f.p99)); get-by-key (\(transport)) p50 \(show(g.p50)) µs,"
                + " p99 \(show(g.p99)); ratio \(String(format: "%.2f", g.p50 / f.p50))")
    }
}
