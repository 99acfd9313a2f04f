import Logging

/// How a `Database` manages its connections.
public struct DatabaseOptions: Sendable {
    /// Most connections open at once (an in-memory SQLite database always uses exactly one).
    public var maxConnections: Int
    /// How long `acquire` waits for a free connection before throwing `DatabaseError(.unavailable)`.
    public var acquireTimeout: Duration
    /// A connection idle at least this long is health-checked before it is lent out.
    public var healthCheckAfterIdle: Duration
    /// Cancel statements running longer than this (`nil`: no limit). PostgreSQL:
    /// `statement_timeout`; MariaDB: `max_statement_time`; SQLite: a progress-handler deadline.
    public var statementTimeout: Duration?
    /// SQLite only: how long a statement waits for another connection's write lock.
    public var sqliteBusyTimeout: Duration
    /// SQLite only: the journal mode to set on a file database when a connection opens
    /// (`PRAGMA journal_mode`, which is stored in the file and outlives the process), or `nil`
    /// to leave the file as it is. `.wal` by default for embedding applications; `dabroker
    /// serve` passes `nil` unless its configuration sets `sqlite_journal_mode`.
    public var sqliteJournalMode: SQLiteJournalMode? = .wal
    /// Where the pool and sessions log (the SQLite notice, the flat-nesting warning).
    public var logger: Logger
    /// The once-per-process notice of the first nested scope on SQLite.
    public var sqliteNotice: OnceNotice
    /// The once-per-process warning of a nested scope joining a non-transactional outer scope.
    public var flatNestingWarning: OnceNotice
    /// Statements run on every new connection before it is lent out (for example the marks
    /// change capture uses to tell the gateway's own writes, see ``ChangeLog``). A failing one
    /// fails the connection.
    public var sessionSetup: [String] = []

    public init(
        maxConnections: Int = 10,
        acquireTimeout: Duration = .seconds(10),
        healthCheckAfterIdle: Duration = .seconds(30),
        statementTimeout: Duration? = nil,
        sqliteBusyTimeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "dabroker.sql"),
        sqliteNotice: OnceNotice = SQLiteNotice.shared,
        flatNestingWarning: OnceNotice = FlatNestingWarning.shared
    ) {
        self.maxConnections = maxConnections
        self.acquireTimeout = acquireTimeout
        self.healthCheckAfterIdle = healthCheckAfterIdle
        self.statementTimeout = statementTimeout
        self.sqliteBusyTimeout = sqliteBusyTimeout
        self.logger = logger
        self.sqliteNotice = sqliteNotice
        self.flatNestingWarning = flatNestingWarning
    }
}
