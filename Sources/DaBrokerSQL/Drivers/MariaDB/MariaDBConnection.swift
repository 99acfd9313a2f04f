import DaBrokerCore

/// A connection to MariaDB or MySQL through libmariadb.
///
/// Each connection owns a thread on which every libmariadb call runs (see `DriverThread`), so
/// the async API never blocks a caller's thread. Statements are server-side prepared
/// (`mysql_stmt_*`) once per connection and cached by SQL text (LRU, 128 statements). The
/// session runs with `time_zone = '+00:00'` and `CLIENT_FOUND_ROWS`. Type mapping: docs/types.md.
public final class MariaDBConnection: DatabaseConnection, StatementTimeoutConfigurable {
    public let dialect: any SQLDialect = MySQLDialect()
    private let thread: DriverThread<MariaDBCore>

    /// Whether the connection's thread is busy (see ``DatabaseConnection/isBusy``).
    public var isBusy: Bool { thread.isBusy }

    private init(thread: DriverThread<MariaDBCore>) {
        self.thread = thread
    }

    /// Opens a connection from `mysql://user:password@host:port/database?options` or
    /// `mariadb://…` (options: `socket`, `connect_timeout`, `read_timeout`, `write_timeout`,
    /// `ssl`, `ssl_ca`, `ssl_verify`; see `MariaDBURL`).
    public static func connect(url: String) async throws -> MariaDBConnection {
        let parsed = try MariaDBURL(url)
        let thread = DriverThread<MariaDBCore>(
            name: "dabroker-mariadb", makeState: { MariaDBCore() }, finish: { $0.finish() })
        do {
            try await thread.run("connect") { try $0.connect(parsed) }
        } catch {
            thread.stop()
            throw error
        }
        return MariaDBConnection(thread: thread)
    }

    deinit {
        thread.stop()
    }

    /// Runs one statement. On a thread that polls descriptors for its jobs (an AMQP I/O thread
    /// running a request), the statement is sent from there and its answer awaited in that
    /// thread's `poll`, without waking the connection's thread (``DescriptorWatch``).
    public func execute(_ sql: String, _ parameters: [Value]) async throws -> QueryResult {
        try await thread.execute(sql, parameters, "MariaDB execute")
    }

    /// How many statements were answered in another thread's `poll` (for tests).
    public var watchedStatements: Int { thread.watchedStatements }

    public func isHealthy() async -> Bool {
        (try? await thread.run("MariaDB ping") { $0.ping() }) ?? false
    }

    public func close() async {
        _ = try? await thread.run("MariaDB close") { $0.close() }
        thread.stop()
    }

    /// Sets (or with `nil` or 0 removes) this connection's statement timeout: MariaDB's
    /// `max_statement_time` (MySQL: `max_execution_time`, which limits SELECTs only). A
    /// statement running longer fails with a `.timeout` `DatabaseError`.
    public func setStatementTimeout(_ seconds: Double?) async throws {
        let ms = try statementTimeoutMilliseconds(seconds)
        try await thread.run("MariaDB statement timeout") { core in
            let setting = core.timeoutSetting(milliseconds: ms)
            _ = try core.execute(setting.sql, [setting.value])
        }
    }
}
