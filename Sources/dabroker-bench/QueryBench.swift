import DaBrokerClient
import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import Foundation

/// The query rows of issue 19 on one database: keyset page 1 against page 1,000
/// (`find_page_1`, `find_page_1000`, 100-row pages of a 100,000-row table), walking a
/// 1,000-row back-reference (`backref_walk_1000`) against one find of 1,000 rows
/// (`find1000`), and `bulk_new_1000` (one `new` with `_rows`) against `new_single_1000`
/// (1,000 `new` calls). In-process transport, so the figures are the gateway's and the
/// database's. Not a test: nothing is asserted.
struct QueryBench {
    let url: String
    let rows: Int
    let calls: Int

    /// (row name, p50 µs, p99 µs, note) for each row.
    func run() async throws -> [(String, (p50: Double, p99: Double), String)] {
        let db = try await Database.open(url: url, options: DatabaseOptions(logger: BenchGateway.quiet("db")))
        try await prepare(db)
        let server = BrokerServer(
            configuration: .init(secret: BenchGateway.secret, maxFindLimit: 1000, logger: BenchGateway.quiet("server")))
        let inProcess = InProcessServerTransport()
        server.addTransport(inProcess)
        let root = try server.addDataRoot()
        let loader = try await SQLLoader.reflecting(database: db, broker: server)
        for t in ["bq_row", "bq_parent", "bq_child", "bq_bulk"] { try loader.addModel(t, into: root, rw: .readWrite) }
        try await server.start()
        let client = BrokerClient(
            transport: inProcess.makeClient(), configuration: .init(cacheSize: 20_000, logger: BenchGateway.quiet("c")))
        try await client.connect()
        var out: [(String, (p50: Double, p99: Double), String)] = []
        do {
            let table = try await client.model("bq_row")
            // The cursor of page 1,000: walked once (not timed).
            // Page 1,000 of 100,000 rows; with fewer rows (a trial run), the last page.
            let target = max(2, min(1000, rows / 100))
            var cursor: String?
            for _ in 1..<target { cursor = try await table.all.page(after: cursor, size: 100).next }
            guard cursor != nil else { throw BrokerError.internal("benchmark setup: fewer pages than \(target)") }
            // Side by side, so that both pages are timed at the machine's same speed.
            let pages = try await BenchStats.alternating(
                calls: calls, warmUp: 10,
                [
                    { _ = try await table.all.page(size: 100) },
                    { _ = try await table.all.page(after: cursor, size: 100) },
                ])
            out.append(("find_page_1", pages[0], "_dab_page, 100 rows, key order, of \(rows)"))
            out.append(
                (
                    "find_page_1000", pages[1],
                    "page \(target) (keyset: goal within 1.5× of page 1; sampled side by side)"
                ))

            let parent = try requireBench(try await client.model("bq_parent").find([:], limit: 1).first)
            let backref = try requireBench(try await parent.meta().info?.backrefs.keys.first)
            let children = try await client.model("bq_child")
            let reps = max(5, calls / 20)
            let walks = try await BenchStats.alternating(
                calls: reps, warmUp: 10,
                [
                    {
                        client.clearCache()
                        _ = try await children.find([:], limit: 1000)
                    },
                    {
                        client.clearCache()
                        var n = 0
                        for try await _ in parent[backref].objects { n += 1 }
                        guard n == 1000 else { throw BrokerError.internal("backref walk saw \(n) rows") }
                    },
                ])
            out.append(("find1000", walks[0], "one _dab_search of 1,000 rows, cache cleared"))
            out.append(
                (
                    "backref_walk_1000", walks[1],
                    "BackrefSequence over 1,000 rows (backref_page; goal ≤ 3× find1000; sampled side by side)"
                ))

            let bulk = try await client.model("bq_bulk")
            var next = 1
            let batch = try await BenchStats.latency(calls: reps, warmUp: 1) {
                let rows: [[String: Value]] = (0..<1000).map { i in ["id": .int(Int64(next + i)), "name": "bulk"] }
                next += 1000
                _ = try await bulk.new(rows: rows)
            }
            out.append(("bulk_new_1000", batch, "one new with 1,000 _rows, one transaction"))
            let single = try await BenchStats.latency(calls: max(3, reps / 3), warmUp: 0) {
                for _ in 0..<1000 {
                    _ = try await bulk.new(["id": .int(Int64(next)), "name": "single"])
                    next += 1
                }
            }
            out.append(("new_single_1000", single, "1,000 new calls, one row each"))
        } catch {
            await client.close()
            await server.stop()
            await db.close()
            throw error
        }
        await client.close()
        await server.stop()
        await db.close()
        return out
    }

    /// `bq_row` (rows), `bq_parent` (one row) with 1,000 `bq_child` rows, empty `bq_bulk`.
    private func prepare(_ db: Database) async throws {
        let d = db.dialect
        for t in ["bq_child", "bq_parent", "bq_row", "bq_bulk"] {
            _ = try await db.execute("DROP TABLE IF EXISTS \(d.quote(t))")
        }
        _ = try await db.execute(
            "CREATE TABLE bq_row (id INTEGER NOT NULL PRIMARY KEY, n INTEGER NOT NULL, name VARCHAR(64))")
        _ = try await db.execute("CREATE TABLE bq_parent (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(64))")
        _ = try await db.execute(
            "CREATE TABLE bq_child (id INTEGER NOT NULL PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES bq_parent(id),"
                + " name VARCHAR(64))")
        _ = try await db.execute("CREATE INDEX bq_child_parent ON bq_child (parent_id)")
        _ = try await db.execute("CREATE TABLE bq_bulk (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(64))")
        _ = try await db.execute("INSERT INTO bq_parent (id, name) VALUES (1, 'parent')")
        try await insert(db, "bq_row", count: rows) { i in [.int(Int64(i)), .int(Int64(i % 97)), .string("row \(i)")] }
        try await insert(db, "bq_child", count: 1000) { i in [.int(Int64(i)), .int(1), .string("child \(i)")] }
    }

    private func insert(_ db: Database, _ table: String, count: Int, _ values: (Int) -> [Value]) async throws {
        let d = db.dialect
        let columns = table == "bq_row" ? ["id", "n", "name"] : ["id", "parent_id", "name"]
        var id = 1
        while id <= count {
            let n = min(500, count - id + 1)
            var params: [Value] = []
            var tuples: [String] = []
            for i in id..<(id + n) {
                let p = params.count
                tuples.append("(" + (0..<3).map { d.placeholder(p + $0) }.joined(separator: ", ") + ")")
                params += values(i)
            }
            _ = try await db.execute(
                "INSERT INTO \(d.quote(table)) (\(columns.map(d.quote).joined(separator: ", "))) VALUES "
                    + tuples.joined(separator: ", "), params)
            id += n
        }
    }
}

/// `try #require`-like unwrapping for the benchmark (no Testing here).
private func requireBench<T>(_ value: T?) throws -> T {
    guard let value else { throw BrokerError.internal("benchmark setup: missing value") }
    return value
}
