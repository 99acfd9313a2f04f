import ArgumentParser
import DaBrokerClient
import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import Foundation
import Logging

/// `dabroker-bench changes`: how fast a change made outside the gateway reaches a client's
/// cache (`external_change`: from the external COMMIT to the cached object being obsolete),
/// and what the capture triggers cost an UPDATE (`update_no_capture` against
/// `update_capture`), per database. Not a test: nothing is asserted.
struct ChangesBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "Time external changes reaching a client's cache, and the capture triggers' cost per UPDATE.",
        discussion: "Server URLs come from DABROKER_TEST_POSTGRES_URL and DABROKER_TEST_MYSQL_URL unless given.")

    @Option(help: "External changes timed per database.")
    var changes = 100

    @Option(help: "UPDATEs timed with and without capture.")
    var updates = 500

    @Option(help: "Databases, comma-separated: postgres, mysql, sqlite.")
    var only = "postgres,mysql,sqlite"

    @Option(help: "Seconds between reads of the log on MariaDB and SQLite (the gateway's default: 0.25).")
    var poll = 0.25

    func run() async throws {
        BenchCommand.bootstrapLogging()
        let env = ProcessInfo.processInfo.environment
        print("row                              p50          p99")
        for name in only.split(separator: ",").map(String.init) {
            let url: String
            switch name {
            case "postgres", "pg":
                guard let base = env["DABROKER_TEST_POSTGRES_URL"] else { continue }
                url = try await Self.fresh(base, kind: .postgres)
            case "mysql", "mariadb":
                guard let base = env["DABROKER_TEST_MYSQL_URL"] else { continue }
                url = try await Self.fresh(base, kind: .mysql)
            case "sqlite":
                let path = "/tmp/changes_bench.sqlite"
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    try? FileManager.default.removeItem(atPath: path + suffix)
                }
                url = "sqlite:" + path
            default: throw ValidationError("--only: unknown database '\(name)'")
            }
            try await measure(url: url)
        }
    }

    /// A new empty database `changes_bench` on the server of `base`.
    static func fresh(_ base: String, kind: DatabaseKind) async throws -> String {
        let admin = try await Database.open(url: base)
        let q = admin.dialect.quote("changes_bench")
        _ = try await admin.execute("DROP DATABASE IF EXISTS \(q)" + (kind == .postgres ? " WITH (FORCE)" : ""))
        _ = try await admin.execute("CREATE DATABASE \(q)")
        await admin.close()
        return DatabaseConnector.url(base, database: "changes_bench")
    }

    private func measure(url: String) async throws {
        let external = try await Database.open(url: url, options: DatabaseOptions(maxConnections: 1))
        let kind = external.kind
        let item = external.dialect.quote("item")
        let p0 = external.dialect.placeholder(0)
        _ = try await external.execute("CREATE TABLE \(item) (id INTEGER PRIMARY KEY, name VARCHAR(40), n INTEGER)")
        for start in stride(from: 1, through: 1000, by: 100) {
            let values = (start..<start + 100).map { "(\($0), 'item \($0)', 0)" }.joined(separator: ", ")
            _ = try await external.execute("INSERT INTO \(item) (id, name, n) VALUES \(values)")
        }
        var n: Int64 = 0
        let update = { () async throws -> Void in
            n += 1
            _ = try await external.execute("UPDATE \(item) SET n = \(p0) WHERE id = 7", [.int(n)])
        }
        let plain = try await BenchStats.latency(calls: updates, warmUp: 50, update)
        guard let table = try await SchemaReflector.reflect(external).tables["item"] else {
            throw ValidationError("the table item was not reflected")
        }
        try await ChangeLog(dialect: external.dialect).install(external, tables: [table])
        let captured = try await BenchStats.latency(calls: updates, warmUp: 50, update)
        Self.row("update_no_capture_\(kind.rawValue)", plain)
        Self.row("update_capture_\(kind.rawValue)", captured)

        // The gateway: a server with a feed and an in-process client.
        var options = DatabaseOptions(maxConnections: 4)
        options.sessionSetup = ChangeLog.sessionSetup(for: kind)
        let db = try await Database.open(url: url, options: options)
        var logger = Logger(label: "bench-changes")
        logger.logLevel = .warning
        let server = BrokerServer(configuration: .init(secret: "bench", logger: logger))
        let transport = InProcessServerTransport()
        server.addTransport(transport)
        let root = try server.addDataRoot()
        let loader = try await SQLLoader.reflecting(database: db, broker: server)
        try loader.addModel("item", into: root)
        try await server.start()
        var c = ChangeFeed.Configuration(tables: ["item"])
        c.poll = .milliseconds(Int(poll * 1000))
        let feed = ChangeFeed(loader: loader, server: server, configuration: c, logger: logger)
        let feedTask = Task<Void, Never> { _ = try? await feed.run() }
        let client = BrokerClient(transport: transport.makeClient())
        try await client.connect()
        let items = try await client.model("item")
        _ = try await items.get(["id": 1])
        try await Task.sleep(for: .milliseconds(500))  // the feed has taken its lease

        let clock = ContinuousClock()
        var samples: [Double] = []
        for i in 0..<changes {
            let id = Int64(i % 900 + 1)
            let object = try await items.get(["id": .int(id)])
            // At a random point of the poll interval, as a real external write would come.
            try await Task.sleep(for: .microseconds(Int.random(in: 0..<max(1, Int(poll * 1_000_000)))))
            let start = clock.now
            _ = try await external.execute("UPDATE \(item) SET n = n + 1 WHERE id = \(p0)", [.int(id)])
            while !object.isObsolete && clock.now - start < .seconds(10) {
                try await Task.sleep(for: .microseconds(100))
            }
            samples.append(BenchStats.micros(clock.now - start))
        }
        Self.row("external_change_\(kind.rawValue)", BenchStats.percentiles(samples))
        await client.close()
        feedTask.cancel()
        _ = await feedTask.value
        await server.stop()
        await db.close()
        await external.close()
    }

    static func row(_ name: String, _ r: (p50: Double, p99: Double)) {
        func ms(_ us: Double) -> String { String(format: "%9.3f ms", us / 1000) }
        print(name.padding(toLength: 30, withPad: " ", startingAt: 0) + ms(r.p50) + "  " + ms(r.p99))
    }
}
