import DaBrokerSQL
import Foundation

/// One database's run of the reflection benchmark.
struct ReflectionBenchmark {
    let kind: DatabaseKind
    let serverURL: String
    let options: ReflectionBenchmarkOptions
    static let database = "refl_bench"

    func run() async throws {
        let admin = kind == .sqlite ? nil : try await connect(serverURL)
        let benchURL = kind == .sqlite ? serverURL : DatabaseConnector.url(serverURL, database: Self.database)
        var connection = try? await connect(benchURL)
        if let c = connection, try await tableCount(c) != options.tables {
            await c.close()
            connection = nil
        }
        if connection == nil {
            try await dropDatabase(admin)
            if let admin { _ = try await admin.execute("CREATE DATABASE \(admin.dialect.quote(Self.database))") }
            let c = try await connect(benchURL)
            let start = ContinuousClock.now
            try await generate(c)
            print(
                "\(kind.rawValue): generated \(options.tables) tables in \(Self.seconds(ContinuousClock.now - start))")
            connection = c
        }
        guard let connection else { return }

        var times: [Duration] = []
        var schema: DatabaseSchema?
        for _ in 0..<options.runs {
            let start = ContinuousClock.now
            schema = try await SchemaReflector.reflect(connection)
            times.append(ContinuousClock.now - start)
        }
        await connection.close()
        // The gateway reflects through its pool: two connections side by side.
        let database = try await Database.open(url: benchURL)
        var pooled: [Duration] = []
        for _ in 0..<options.runs {
            let start = ContinuousClock.now
            _ = try await SchemaReflector.reflect(database)
            pooled.append(ContinuousClock.now - start)
        }
        await database.close()
        let model = schema.map { ReflectedModel(schema: $0) }
        let columns = schema?.tables.values.reduce(0) { $0 + $1.columns.count } ?? 0
        let fks = schema?.tables.values.reduce(0) { $0 + $1.foreignKeys.count } ?? 0
        let backrefs = model?.tables.values.reduce(0) { $0 + $1.backrefs.count } ?? 0
        let best = min(times.min() ?? .zero, pooled.min() ?? .zero)
        print(
            "\(kind.rawValue): SchemaReflector: \(schema?.tables.count ?? 0) tables, \(columns) columns, \(fks) foreign"
                + " keys, \(backrefs) backrefs; one connection: best \(Self.seconds(times.min() ?? .zero)), median"
                + " \(Self.seconds(times.sorted()[times.count / 2])); pool (as the gateway): best"
                + " \(Self.seconds(pooled.min() ?? .zero)), median \(Self.seconds(pooled.sorted()[pooled.count / 2]))"
                + " of \(times.count) runs each")

        if options.sqlalchemy {
            let sa = try SQLAlchemyRunner(venv: options.venv).reflect(
                url: Self.sqlalchemyURL(benchURL, kind: kind), runs: min(options.runs, 3))
            let ratio = sa.seconds / max(best.seconds, 1e-9)
            print(
                "\(kind.rawValue): SQLAlchemy MetaData.reflect(): \(sa.tables) tables, best \(String(format: "%.3f s", sa.seconds))"
                    + " of \(min(options.runs, 3)) runs;"
                    + " ratio \(String(format: "%.1f", ratio))x")
        }
        if !options.keep { try await dropDatabase(admin) }
        await admin?.close()
    }

    /// Drops `refl_bench` (the SQLite file).
    private func dropDatabase(_ admin: (any DatabaseConnection)?) async throws {
        guard let admin else {
            let path = String(serverURL.dropFirst("sqlite:".count))
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            return
        }
        let force = kind == .postgres ? " WITH (FORCE)" : ""
        _ = try await admin.execute("DROP DATABASE IF EXISTS \(admin.dialect.quote(Self.database))\(force)")
    }

    private func connect(_ url: String) async throws -> any DatabaseConnection {
        switch kind {
        case .postgres: return try await PostgresConnection.connect(url: url)
        case .mysql: return try await MariaDBConnection.connect(url: url)
        case .sqlite: return try await SQLiteConnection.connect(url: url)
        }
    }

    private func tableCount(_ c: any DatabaseConnection) async throws -> Int {
        let sql =
            switch kind {
            case .postgres:
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = 'public' AND c.relkind = 'r'"
            case .mysql: "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
            case .sqlite: "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
            }
        let v = try await c.execute(sql).rows.first?[0]
        if case .int(let n) = v { return Int(n) }
        return -1
    }

    /// `t0000` … : id, two foreign keys (to the previous table and to the table at half the
    /// index; `t0000` references itself), and seven plain columns of assorted types.
    private func generate(_ c: any DatabaseConnection) async throws {
        let pg = kind == .postgres
        if kind != .mysql { _ = try await c.execute("BEGIN") }
        for i in 0..<options.tables {
            let name = Self.table(i)
            let parent = Self.table(max(0, i - 1))
            let other = Self.table(i / 2)
            let sql: String
            if pg || kind == .sqlite {
                sql = """
                    CREATE TABLE \(name) (id int PRIMARY KEY, parent_id int REFERENCES \(parent) (id),
                      other_id int REFERENCES \(other) (id), name varchar(40) NOT NULL, amount numeric(10,2),
                      created timestamp DEFAULT CURRENT_TIMESTAMP, note text, flag boolean, score double precision, code char(8))
                    """
            } else {
                sql = """
                    CREATE TABLE \(name) (id int PRIMARY KEY, parent_id int, other_id int, name varchar(40) NOT NULL,
                      amount decimal(10,2), created datetime DEFAULT CURRENT_TIMESTAMP, note text, flag tinyint(1),
                      score double, code char(8), FOREIGN KEY (parent_id) REFERENCES \(parent) (id),
                      FOREIGN KEY (other_id) REFERENCES \(other) (id)) ENGINE=InnoDB
                    """
            }
            _ = try await c.execute(sql)
        }
        if kind != .mysql { _ = try await c.execute("COMMIT") }
    }

    static func table(_ i: Int) -> String { "t" + String(format: "%04d", i) }

    static func seconds(_ d: Duration) -> String { String(format: "%.3f s", d.seconds) }

    /// The SQLAlchemy URL of the same database (psycopg2 / PyMySQL drivers).
    static func sqlalchemyURL(_ url: String, kind: DatabaseKind) -> String {
        if kind == .sqlite { return "sqlite:///" + url.dropFirst("sqlite:".count) }
        guard let schemeEnd = url.range(of: "://") else { return url }
        let scheme = kind == .postgres ? "postgresql+psycopg2" : "mysql+pymysql"
        return scheme + url[schemeEnd.lowerBound...]
    }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
