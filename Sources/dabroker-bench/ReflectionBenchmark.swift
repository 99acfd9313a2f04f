import DaBrokerSQL
import Foundation

/// `dabroker-bench reflect`: generates `tables` tables × 10 columns with two foreign keys each
/// in a database of its own (`refl_bench`), reflects it with `SchemaReflector` and with
/// SQLAlchemy 2.x `MetaData.reflect()` (from a throw-away virtual environment) and prints the
/// times and their ratio. Not a test: nothing is asserted.
///
/// Options: `--tables N` (2000), `--runs N` (5), `--only postgres,mysql,sqlite` (all three),
/// `--keep` (leave `refl_bench` for the next run; an existing one with the right table count
/// is reused), `--venv PATH` (`/tmp/sa-venv`; created with `python3 -m venv` and
/// `pip install sqlalchemy psycopg2-binary pymysql` when missing), `--no-sqlalchemy`.
/// Server URLs come from `DABROKER_TEST_POSTGRES_URL` / `DABROKER_TEST_MYSQL_URL` (or
/// `--postgres URL`, `--mysql URL`); SQLite uses the file `--sqlite PATH`
/// (`/tmp/refl_bench.sqlite`).
func runReflectionBenchmark(arguments: [String]) async throws {
    var options = ReflectionBenchmarkOptions()
    try options.parse(arguments)
    for kind in options.only {
        guard let url = options.urls[kind] else {
            print(
                "\(kind.rawValue): no server URL (set \(kind == .postgres ? "DABROKER_TEST_POSTGRES_URL" : "DABROKER_TEST_MYSQL_URL"))"
            )
            continue
        }
        try await ReflectionBenchmark(kind: kind, serverURL: url, options: options).run()
    }
}

/// The command-line options of `dabroker-bench reflect`.
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

    struct BadArgument: Error, CustomStringConvertible {
        let description: String
    }

    mutating func parse(_ arguments: [String]) throws {
        var it = arguments.makeIterator()
        while let a = it.next() {
            func value() throws -> String {
                guard let v = it.next() else { throw BadArgument(description: "\(a) needs a value") }
                return v
            }
            switch a {
            case "--tables": tables = Int(try value()) ?? tables
            case "--runs": runs = max(1, Int(try value()) ?? runs)
            case "--only":
                only = try value().split(separator: ",").map { name in
                    switch name {
                    case "postgres", "pg": return .postgres
                    case "mysql", "mariadb": return .mysql
                    case "sqlite": return .sqlite
                    default:
                        throw BadArgument(description: "--only: unknown database '\(name)' (postgres, mysql, sqlite)")
                    }
                }
            case "--keep": keep = true
            case "--venv": venv = try value()
            case "--no-sqlalchemy": sqlalchemy = false
            case "--postgres": urls[.postgres] = try value()
            case "--mysql": urls[.mysql] = try value()
            case "--sqlite": urls[.sqlite] = "sqlite:" + (try value())
            default: throw BadArgument(description: "unknown option \(a)")
            }
        }
    }
}
