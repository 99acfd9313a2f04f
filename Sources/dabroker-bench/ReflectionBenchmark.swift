import DaBrokerSQL
import Foundation

/// What one run of the reflection benchmark does (see ``ReflectCommand``).
struct ReflectionBenchmarkOptions {
    var tables = 2000
    var runs = 5
    var only: [DatabaseKind] = [.postgres, .mysql, .sqlite]
    var keep = false
    var venv = "/tmp/sa-venv"
    var sqlalchemy = true
    var urls: [DatabaseKind: String] = [
        .postgres: ProcessInfo.processInfo.environment["DABROKER_TEST_POSTGRES_URL"],
        .mysql: ProcessInfo.processInfo.environment["DABROKER_TEST_MYSQL_URL"],
        .sqlite: "sqlite:/tmp/refl_bench.sqlite",
    ].compactMapValues { $0 }

    /// Runs the benchmark on each selected database that has a URL.
    func runAll() async throws {
        for kind in only {
            guard let url = urls[kind] else {
                let variable = kind == .postgres ? "DABROKER_TEST_POSTGRES_URL" : "DABROKER_TEST_MYSQL_URL"
                print("\(kind.rawValue): no server URL (set \(variable))")
                continue
            }
            try await ReflectionBenchmark(kind: kind, serverURL: url, options: self).run()
        }
    }
}
