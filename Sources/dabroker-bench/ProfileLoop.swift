/// `--profile N`: only the in-process SQLite gateway, N get-by-key calls (cache cleared) and
/// N/10 find-50 calls, for a profiler (`perf record -g`). With `--profile-finds-only`, N
/// find-50 calls and no get. Prints nothing but a line at the end.
enum ProfileLoop {
    static func run(calls: Int, findsOnly: Bool = false) async throws {
        let database = try await BenchDatabase.prepare(backend: "sqlite", base: nil, rows: 1000)
        let gateway = try await BenchGateway(database: database, amqp: nil)
        let client = try await gateway.client("inprocess")
        let refs = (1...1000).map { gateway.rowRef($0) }
        for i in 0..<(findsOnly ? 0 : calls) {
            client.clearCache()
            _ = try await client.get(refs[i % refs.count])
        }
        let model = try await client.model(BenchDatabase.table)
        let finds = findsOnly ? calls : calls / 10
        for _ in 0..<finds {
            client.clearCache()
            _ = try await model.table.meta()
            _ = try await model.find([:], limit: 50)
        }
        await client.close()
        await gateway.stop()
        database.cleanUp()
        print("profile loop done: \(findsOnly ? 0 : calls) get-by-key, \(finds) find50 (in-process, SQLite)")
    }
}
