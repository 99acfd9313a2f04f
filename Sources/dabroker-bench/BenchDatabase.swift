import DaBrokerCore
import DaBrokerSQL
import Foundation

/// One database the benchmark runs against: its own database `dabroker_bench` (PostgreSQL,
/// MariaDB) or a temporary SQLite file, holding the table `bench_item` with `rows` rows.
struct BenchDatabase: Sendable {
    static let databaseName = "dabroker_bench"
    static let table = "bench_item"

    /// `sqlite`, `postgres` or `mysql`.
    var backend: String
    /// The URL of the benchmark's own database.
    var url: String

    /// Creates the database (when missing) and the filled table; `base` is the service URL
    /// from the environment (nil for SQLite).
    static func prepare(backend: String, base: String?, rows: Int) async throws -> BenchDatabase {
        let url: String
        if let base {
            let admin = try await Database.open(url: base)
            do {
                _ = try await admin.execute("CREATE DATABASE \(admin.dialect.quote(databaseName))")
            } catch {
                // Already there from an earlier run: the table is recreated below.
            }
            await admin.close()
            url = DatabaseConnector.url(base, database: databaseName)
        } else {
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("dabroker-bench-\(getpid()).sqlite").path
            for suffix in ["", "-wal", "-shm", "-journal"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
            url = "sqlite:" + path
        }
        let db = try await Database.open(url: url)
        let d = db.dialect
        let t = d.quote(table)
        _ = try await db.execute("DROP TABLE IF EXISTS \(t)")
        _ = try await db.execute(
            "CREATE TABLE \(t) (\(d.quote("id")) INTEGER NOT NULL PRIMARY KEY, \(d.quote("name")) VARCHAR(64) NOT NULL, "
                + "\(d.quote("n")) INTEGER NOT NULL, \(d.quote("note")) VARCHAR(200))")
        let batch = 250
        try await db.withConnection { conn in
            _ = try await conn.execute("BEGIN", [])
            var id = 1
            while id <= rows {
                let count = min(batch, rows - id + 1)
                var tuples: [String] = []
                var params: [Value] = []
                for i in 0..<count {
                    let p = params.count
                    tuples.append(
                        "(\(d.placeholder(p)), \(d.placeholder(p + 1)), \(d.placeholder(p + 2)), \(d.placeholder(p + 3)))"
                    )
                    params += [
                        .int(Int64(id + i)), .string("item \(id + i)"), .int(Int64((id + i) % 97)),
                        .string("a benchmark row with a little text in it"),
                    ]
                }
                _ = try await conn.execute(
                    "INSERT INTO \(t) (\(d.quote("id")), \(d.quote("name")), \(d.quote("n")), \(d.quote("note"))) VALUES "
                        + tuples.joined(separator: ", "), params)
                id += count
            }
            _ = try await conn.execute("COMMIT", [])
        }
        await db.close()
        return BenchDatabase(backend: backend, url: url)
    }

    /// Removes the SQLite file (server databases are kept for inspection; the table is
    /// recreated by the next run).
    func cleanUp() {
        guard url.hasPrefix("sqlite:") else { return }
        let path = String(url.dropFirst("sqlite:".count))
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

}
