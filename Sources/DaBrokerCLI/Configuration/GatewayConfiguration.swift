import DaBrokerAMQP
import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import OrderedCollections

/// Everything `dabroker serve` needs to know: which database, how to serve it, and what each
/// table exposes.
///
/// Read from a YAML file (see `docs/configuration.md`) with `ConfigurationLoader`, then
/// overridden by environment variables and command-line flags.
public struct GatewayConfiguration: Sendable, Equatable {
    /// The database URL (`postgres://…`, `mysql://…`, `sqlite:PATH`).
    public var database: String?
    /// SQLite only: the journal mode to set on the database file (`sqlite_journal_mode`);
    /// `nil` (the default) leaves the file as it is.
    public var sqliteJournalMode: SQLiteJournalMode?
    /// The loader id: the first part of every row key (`["sql", table, pk…]`).
    public var loaderID: String = "sql"
    /// The secret access codes are made with; servers that share it accept each other's codes.
    public var secret: String?
    /// A file holding the secret (its first line).
    public var secretFile: String?
    public var http: HTTPSettings?
    /// The REST face on the HTTP transport (`rest:`; docs/rest.md): on by default.
    public var rest = RESTSettings()
    public var amqp: AMQPSettings?
    /// The web console at `/console/` (`console: true|false`); `nil`: on when the HTTP
    /// transport listens on loopback only (see ``consoleEnabled``).
    public var console: Bool?
    public var limits = Limits()
    public var schema = SchemaChanges()
    public var export = ExportDefaults()
    public var wire = WireSettings()
    /// Change capture (docs/changes.md); nil: off.
    public var changes: ChangeSettings?
    /// Metrics, the admin listener and readiness (`operations`).
    public var operations = OperationsSettings()
    /// Per-table settings by table name, in file order.
    public var tables: OrderedDictionary<String, TableSettings> = [:]
    /// Where each setting came from, for messages that point at the file.
    public var origins: [String: SourceLocation] = [:]

    public init() {}

    /// Whether `serve` mounts the web console: as configured, else only with an HTTP transport
    /// bound to a loopback address (a console for other machines is a choice, not a default).
    public var consoleEnabled: Bool {
        guard let http else { return false }
        if let console { return console }
        let host = http.host.lowercased()
        return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// Serving over HTTP: the embedded default.
    public struct HTTPSettings: Sendable, Equatable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// When set, every request needs `Authorization: Bearer <token>`.
        public var token: String?
        public var maxBodyBytes = 4 * 1024 * 1024
        /// Time a new connection has to send its first request's headers.
        public var headerTimeoutSeconds = 10.0
        /// Time a request body has to arrive in full once its headers are in.
        public var bodyTimeoutSeconds = 30.0
        /// Time a kept-alive connection may stay idle before its next request's headers are in.
        public var idleTimeoutSeconds = 60.0
        /// Time a stop waits for requests in progress before closing them.
        public var drainTimeoutSeconds = 10.0
        public init() {}
    }

    /// The plain JSON REST face, served with the HTTP transport.
    public struct RESTSettings: Sendable, Equatable {
        public var enabled = true
        /// The path prefix (`/api`).
        public var prefix = "/api"
        /// Whether `PATCH` and `DELETE` need `If-Match` (else 428).
        public var requireIfMatch = true
        public init() {}
    }

    /// Serving over RabbitMQ.
    public struct AMQPSettings: Sendable, Equatable {
        public var url = "amqp://guest:guest@127.0.0.1:5672/%2f"
        public var queue = "dab_queue"
        public var exchange = "dab_alert"
        public var routingKey = "dab_info"
        public var purge = false
        public var prefetch = 16
        public var heartbeatSeconds = 30
        /// The `reply_to` prefixes a request may name (`amqp.reply_to`); others are not run.
        public var allowedReplyTo = AMQPConfiguration.defaultAllowedReplyTo
        public init() {}
    }

    /// Bounds that keep one server healthy under load.
    public struct Limits: Sendable, Equatable {
        public var poolSize = 8
        public var requestConcurrency = 64
        public var maxFindLimit = 1000
        public var callTimeoutSeconds = 10.0
        public var statementTimeoutSeconds: Double? = 30
        public var maxMessageBytes = 16 * 1024 * 1024
        public init() {}
    }

    /// What `serve` does about schema changes (DDL) while it serves.
    public struct SchemaChanges: Sendable, Equatable {
        /// How often the schema fingerprint is checked (nil: never).
        public var checkSeconds: Double? = 60
        /// Whether a change is reloaded (true) or only reported with a warning.
        public var reload = true
        public init() {}
    }

    /// Broadcasting changes made outside the gateway (triggers and a log, installed by
    /// `dabroker changes install`).
    public struct ChangeSettings: Sendable, Equatable {
        /// Glob patterns of the exported tables whose changes are captured; empty: all.
        public var tables: [String] = []
        /// Seconds between reads of the log when nothing wakes the feed.
        public var pollSeconds = 0.25
        /// Seconds the log keeps a change.
        public var retentionSeconds = 86_400.0
        /// Seconds a server's lease on tailing the log lasts unless renewed.
        public var leaseSeconds = 5.0
        public init() {}

        /// Whether the exported table `name` is captured.
        public func captures(_ name: String) -> Bool {
            tables.isEmpty || tables.contains { ReflectionOptions.matches(name, pattern: $0) }
        }
    }

    /// How values go onto the wire, for clients that are not ours.
    public struct WireSettings: Sendable, Equatable {
        /// `exact` (the `Dec` extension, the default) or `string` (for clients of the original
        /// Python DaBroker, which cannot read `Dec`).
        public var decimals: DecimalEncoding = .exact
        public init() {}
    }

    /// What tables are exported, and how, unless a table says otherwise.
    public struct ExportDefaults: Sendable, Equatable {
        public var mode: AccessMode = .readOnly
        /// Glob patterns (`*`, `?`) of table names to export; empty exports all.
        public var include: [String] = []
        /// Glob patterns of table names never exported.
        public var exclude: [String] = []
        public init() {}
    }

    /// One table's settings.
    public struct TableSettings: Sendable, Equatable {
        /// `nil` inherits the export default.
        public var mode: AccessMode?
        public var hide: [String] = []
        public var cached: Bool?
        /// Foreign-key column (or comma-joined columns) → ref name.
        public var refNames: OrderedDictionary<String, String> = [:]
        /// Default backref name → new backref name.
        public var backrefNames: OrderedDictionary<String, String> = [:]
        public init() {}
    }
}

/// A place in a configuration file, for error messages.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    public var description: String { "\(file):\(line):\(column)" }
}
