import DaBrokerCore

/// A connection to an SQLite database file (or an in-memory database) through libsqlite3.
///
/// URLs: `sqlite:PATH` (relative or absolute), `sqlite:///abs/path`, `sqlite::memory:`, and
/// SQLite's own `file:` URIs. Like the other drivers, each connection owns a thread on which
/// every sqlite3 call runs (see `DriverThread`), never Swift's cooperative pool. The connection
/// keeps a cache of prepared statements (LRU, 64), waits up to `busyTimeout` for another
/// connection's write lock, turns foreign keys on, and puts file databases in WAL mode.
public final class SQLiteConnection: DatabaseConnection {
    public let dialect: any SQLDialect = SQLiteDialect()
    /// The file name handed to `sqlite3_open_v2` (`:memory:` for an in-memory database).
    public let filename: String
    /// How long one statement may run before it is interrupted, if limited.
    public let statementTimeout: Duration?

    private let thread: DriverThread<SQLiteCore>

    /// Whether the connection's thread is busy (see ``DatabaseConnection/isBusy``).
    public var isBusy: Bool { thread.isBusy }

    private init(filename: String, statementTimeout: Duration?, thread: DriverThread<SQLiteCore>) {
        self.filename = filename
        self.statementTimeout = statementTimeout
        self.thread = thread
    }

    deinit {
        thread.stop()
    }

    /// Whether `url` is one this driver opens (`sqlite:…` or `file:…`).
    public static func accepts(url: String) -> Bool {
        url.hasPrefix("sqlite:") || url.hasPrefix("file:")
    }

    /// The file name (or `file:` URI) that `url` names, or `nil` if it is not an SQLite URL.
    public static func filename(fromURL url: String) -> String? {
        if url.hasPrefix("file:") { return url }
        guard url.hasPrefix("sqlite:") else { return nil }
        let rest = String(url.dropFirst("sqlite:".count))
        if rest == ":memory:" || rest == "//:memory:" { return ":memory:" }
        if rest.hasPrefix("//") { return String(rest.dropFirst(2)) }  // sqlite:///abs → /abs
        return rest.isEmpty ? nil : rest
    }

    /// Opens the database `url` names.
    /// - Parameters:
    ///   - busyTimeout: how long a statement waits for another connection's lock before failing.
    ///   - statementTimeout: interrupt a statement running longer than this (`nil`: no limit).
    ///   - journalMode: the journal mode to set on a file database (it is stored in the file);
    ///     `nil` leaves the file's mode as it is.
    public static func connect(
        url: String, busyTimeout: Duration = .seconds(5), statementTimeout: Duration? = nil,
        journalMode: SQLiteJournalMode? = .wal
    ) async throws -> SQLiteConnection {
        guard let filename = filename(fromURL: url) else {
            throw DatabaseError.sqlite(
                .connection, "not an SQLite URL: expected sqlite:PATH, sqlite::memory: or file:…")
        }
        let ms = Int32(
            clamping: busyTimeout.components.seconds * 1000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000
        )
        let thread = DriverThread<SQLiteCore>(
            name: "dabroker-sqlite",
            makeState: { SQLiteCore(filename: filename, statementTimeout: statementTimeout) },
            finish: { $0.close() })
        do {
            try await thread.run("SQLite open") { try $0.open(busyMilliseconds: ms, journalMode: journalMode) }
        } catch {
            thread.stop()
            throw error
        }
        return SQLiteConnection(filename: filename, statementTimeout: statementTimeout, thread: thread)
    }

    /// Runs one statement. On a thread that must not wait long (an AMQP I/O thread running a
    /// request), a query already prepared on this connection runs there at once if it is brief
    /// (about a millisecond of work, no lock to wait for); otherwise, or if it turns out not to
    /// be, on the connection's thread.
    public func execute(_ sql: String, _ parameters: [Value]) async throws -> QueryResult {
        try await thread.execute(sql, parameters, "SQLite execute")
    }

    /// How many statements ran briefly on another thread (for tests).
    public var briefStatements: Int { thread.briefStatements }

    public func isHealthy() async -> Bool {
        (try? await thread.run("SQLite ping") { $0.ping() }) ?? false
    }

    public func close() async {
        _ = try? await thread.run("SQLite close") { $0.close() }
        thread.stop()
    }
}
