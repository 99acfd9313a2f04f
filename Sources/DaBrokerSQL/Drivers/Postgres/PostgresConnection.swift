import DaBrokerCore

/// A connection to PostgreSQL through libpq.
///
/// Each connection owns a thread on which every libpq call runs (see `DriverThread`), so the
/// async API never blocks a caller's thread. Statements are prepared once per connection and
/// cached by SQL text (LRU, 128 statements); results are read in binary format. Type mapping:
/// docs/types.md.
public final class PostgresConnection: DatabaseConnection, StatementTimeoutConfigurable {
    public let dialect: any SQLDialect = PostgresDialect()
    private let thread: DriverThread<PostgresCore>

    /// Whether the connection's thread is busy (see ``DatabaseConnection/isBusy``).
    public var isBusy: Bool { thread.isBusy }
    private let canceller: PostgresCanceller

    private init(thread: DriverThread<PostgresCore>, canceller: PostgresCanceller) {
        self.thread = thread
        self.canceller = canceller
    }

    /// Opens a connection. `url` is a `postgres://` or `postgresql://` URI and is handed to
    /// libpq unchanged, so every libpq option (`sslmode`, `PGPASSFILE`, `service`, …) works.
    public static func connect(url: String) async throws -> PostgresConnection {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw DatabaseError(.connection, "not a PostgreSQL URL (expected postgres:// or postgresql://)")
        }
        let thread = DriverThread<PostgresCore>(
            name: "dabroker-postgres", makeState: { PostgresCore() }, finish: { $0.close() })
        let canceller = PostgresCanceller()
        do {
            try await thread.run("connect") { core in
                try core.connect(url: url)
                core.withHandle { canceller.install(from: $0) }
            }
        } catch {
            thread.stop()
            throw error
        }
        return PostgresConnection(thread: thread, canceller: canceller)
    }

    deinit {
        thread.stop()
    }

    /// Runs one statement. If the awaiting task is cancelled while the statement runs, the
    /// server is asked to cancel it and this throws `CancellationError`.
    ///
    /// On a thread that polls descriptors for its jobs (an AMQP I/O thread running a request),
    /// the statement is sent from there and its answer awaited in that thread's `poll`,
    /// without waking the connection's thread (``DescriptorWatch``).
    public func execute(_ sql: String, _ parameters: [Value]) async throws -> QueryResult {
        let job = canceller.newJob()
        let hooks = StatementHooks(
            begin: { [canceller] in canceller.begin(job) }, end: { [canceller] in canceller.end(job, $0) })
        return try await withTaskCancellationHandler {
            try await thread.execute(sql, parameters, "PostgreSQL execute", hooks: hooks)
        } onCancel: {
            canceller.cancel(job)
        }
    }

    /// How many statements were answered in another thread's `poll` (for tests).
    public var watchedStatements: Int { thread.watchedStatements }

    public func isHealthy() async -> Bool {
        (try? await thread.run("PostgreSQL ping") { $0.ping() }) ?? false
    }

    public func close() async {
        canceller.uninstall()
        _ = try? await thread.run("PostgreSQL close") { $0.close() }
        thread.stop()
    }

    /// Sets (or with `nil` or 0 removes) this connection's statement timeout: a statement
    /// running longer is cancelled by the server and fails with a `.timeout` `DatabaseError`.
    public func setStatementTimeout(_ seconds: Double?) async throws {
        let ms = try statementTimeoutMilliseconds(seconds)
        _ = try await execute("SELECT pg_catalog.set_config('statement_timeout', $1, false)", [.string("\(ms)")])
    }
}
