import DaBrokerCore

/// A connection to PostgreSQL through libpq.
///
/// Each connection owns a thread on which every libpq call runs (see `DriverThread`), so the
/// async API never blocks a caller's thread. Statements are prepared once per connection and
/// cached by SQL text (LRU, 128 statements); results are read in binary format. Type mapping:
/// docs/types.md.
public final class PostgresConnection: DatabaseConnection {
    public let dialect: any SQLDialect = PostgresDialect()
    private let thread: DriverThread<PostgresCore>

    private init(thread: DriverThread<PostgresCore>) {
        self.thread = thread
    }

    /// Opens a connection. `url` is a `postgres://` or `postgresql://` URI and is handed to
    /// libpq unchanged, so every libpq option (`sslmode`, `PGPASSFILE`, `service`, …) works.
    public static func connect(url: String) async throws -> PostgresConnection {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw DatabaseError(.connection, "not a PostgreSQL URL (expected postgres:// or postgresql://)")
        }
        let thread = DriverThread<PostgresCore>(
            name: "dabroker-postgres", makeState: { PostgresCore() }, finish: { $0.close() })
        do {
            try await thread.run("connect") { try $0.connect(url: url) }
        } catch {
            thread.stop()
            throw error
        }
        return PostgresConnection(thread: thread)
    }

    deinit {
        thread.stop()
    }

    public func execute(_ sql: String, _ parameters: [Value]) async throws -> QueryResult {
        try await thread.run("PostgreSQL execute") { try $0.execute(sql, parameters) }
    }

    public func isHealthy() async -> Bool {
        (try? await thread.run("PostgreSQL ping") { $0.ping() }) ?? false
    }

    public func close() async {
        _ = try? await thread.run("PostgreSQL close") { $0.close() }
        thread.stop()
    }

    /// Sets (or with `nil` removes) this connection's statement timeout: a statement running
    /// longer is cancelled by the server and fails with a `.timeout` `DatabaseError`.
    public func setStatementTimeout(_ seconds: Double?) async throws {
        let ms = seconds.map { max(1, Int(($0 * 1000).rounded())) } ?? 0
        _ = try await execute("SELECT pg_catalog.set_config('statement_timeout', $1, false)", [.string("\(ms)")])
    }
}
