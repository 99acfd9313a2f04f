/// `--profile N`: only the in-process SQLite gateway, N get-by-key calls (cache cleared) and
/// N/10 find-50 calls, for `valgrind --tool=callgrind` (instruction counts are reproducible
/// where times on a shared machine are not). Prints nothing but a line at the end.
enum ProfileLoop {
    static func run(calls: Int) async throws {
        let database = try await BenchDatabase.prepare(backend: "sqlite", base: nil, rows: 1000)
        let gateway = try await BenchGateway(database: database, amqp: nil)
        let client = try await gateway.client("inprocess")
        let refs = (1...1000).map { gateway.rowRef($0) }
        for i in 0..<calls {
            client.clearCache()
            _ = try await client.get(refs[i % refs.count])
        }
        let model = try await client.model(BenchDatabase.table)
        for _ in 0..<(calls / 10) {
            client.clearCache()
            _ = try await model.table.meta()
            _ = try await model.find([:], limit: 50)
        }
        await client.close()
        await gateway.stop()
        database.cleanUp()
        print("profile loop done: \(calls) get-by-key, \(calls / 10) find50 (in-process, SQLite)")
    }
}
