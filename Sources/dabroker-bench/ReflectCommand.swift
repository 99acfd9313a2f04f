import ArgumentParser
import DaBrokerSQL

/// `dabroker-bench reflect`: generates tables × 10 columns with two foreign keys each in a
/// database of its own (`refl_bench`), reflects it with `SchemaReflector` (on one connection,
/// and through a pool as the gateway does) and with SQLAlchemy 2.x `MetaData.reflect()` (from
/// a throw-away virtual environment), and prints the times and their ratio. Not a test:
/// nothing is asserted.
struct ReflectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reflect",
        abstract: "Time schema reflection of a generated schema, against SQLAlchemy MetaData.reflect().",
        discussion: """
            Server URLs come from DABROKER_TEST_POSTGRES_URL and DABROKER_TEST_MYSQL_URL unless \
            given. The virtual environment is created with python3 -m venv and \
            pip install sqlalchemy psycopg2-binary pymysql when missing.
            """)

    @Option(help: "Tables to generate.")
    var tables = 2000

    @Option(help: "Reflections to time on each side (SQLAlchemy: at most 3); the best counts.")
    var runs = 5

    @Option(help: "Databases, comma-separated: postgres, mysql, sqlite.")
    var only = "postgres,mysql,sqlite"

    @Flag(help: "Keep refl_bench for the next run (one with the right table count is reused).")
    var keep = false

    @Option(help: "The SQLAlchemy virtual environment.")
    var venv = "/tmp/sa-venv"

    @Flag(name: .customLong("no-sqlalchemy"), help: "Do not run SQLAlchemy.")
    var noSQLAlchemy = false

    @Option(help: "PostgreSQL server URL.")
    var postgres: String?

    @Option(help: "MariaDB server URL.")
    var mysql: String?

    @Option(help: "SQLite database file.")
    var sqlite = "/tmp/refl_bench.sqlite"

    func run() async throws {
        BenchCommand.bootstrapLogging()
        var options = ReflectionBenchmarkOptions()
        options.tables = max(1, tables)
        options.runs = max(1, runs)
        options.only = try only.split(separator: ",").map { name in
            switch name {
            case "postgres", "pg": return .postgres
            case "mysql", "mariadb": return .mysql
            case "sqlite": return .sqlite
            default: throw ValidationError("--only: unknown database '\(name)' (postgres, mysql, sqlite)")
            }
        }
        options.keep = keep
        options.venv = venv
        options.sqlalchemy = !noSQLAlchemy
        if let postgres { options.urls[.postgres] = postgres }
        if let mysql { options.urls[.mysql] = mysql }
        options.urls[.sqlite] = "sqlite:" + sqlite
        try await options.runAll()
    }
}
