import ArgumentParser
import DaBrokerSQL
import Foundation

/// `dabroker-bench queries`: only the query rows (``QueryBench``), on the databases the
/// environment names and SQLite; the full run (`measure`) includes them too.
struct QueriesBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queries", abstract: "Time keyset pages, backref walks and bulk new (issue 19's rows).")

    @Option(help: "Rows in the paged table.") var rows = 100_000
    @Option(help: "Timed calls per page row.") var calls = 200
    @Option(help: "Databases, comma-separated: postgres, mysql, sqlite.") var only = "postgres,mysql,sqlite"

    func run() async throws {
        BenchCommand.bootstrapLogging()
        let env = ProcessInfo.processInfo.environment
        print("row                   backend      p50 µs       p99 µs   note")
        for name in only.split(separator: ",").map(String.init) {
            let url: String
            switch name {
            case "postgres", "mysql":
                let variable = name == "postgres" ? "DABROKER_TEST_POSTGRES_URL" : "DABROKER_TEST_MYSQL_URL"
                guard let base = env[variable], !base.isEmpty else { continue }
                url = try await BenchDatabase.prepare(backend: name, base: base, rows: 1).url
            default:
                url =
                    "sqlite:"
                    + FileManager.default.temporaryDirectory
                    .appendingPathComponent("dabroker-bench-queries-\(getpid()).sqlite").path
            }
            for (row, f, note) in try await QueryBench(url: url, rows: rows, calls: calls).run() {
                print(
                    row.padding(toLength: 22, withPad: " ", startingAt: 0)
                        + name.padding(toLength: 9, withPad: " ", startingAt: 0)
                        + String(format: "%12.0f %12.0f   ", f.p50, f.p99) + note)
            }
            if name == "sqlite" { try? FileManager.default.removeItem(atPath: String(url.dropFirst("sqlite:".count))) }
        }
    }
}
