import DaBrokerCore
import Logging

/// How a ``BrokerServer`` runs: its secret, limits and logger.
public struct BrokerServerConfiguration: Sendable {
    /// The shared secret for access codes. Servers with the same secret accept each other's
    /// codes. `nil`: a random secret is made at start-up and a warning says that codes die
    /// with the process.
    public var secret: String?
    /// The id of the static loader: static keys start with it (`["static", …]`).
    public var staticLoaderID: String
    /// How many requests are handled at the same time; more wait their turn.
    public var maxConcurrentRequests: Int
    /// The largest `_limit` a search may use; a search without `_limit`, or with a larger
    /// one, returns at most this many objects.
    public var maxFindLimit: Int
    /// Whether ``BrokerServer/run()`` starts with `purge` (drop requests left in a queue).
    public var purgeOnStart: Bool
    public var logger: Logger
    /// Bounds on incoming requests (size, nesting depth, string length); larger or deeper
    /// requests get `BadRequest`.
    public var requestLimits: CodecLimits = .default
    /// How replies and broadcasts carry decimals: `.exact` (the `Dec` extension, the
    /// default) or `.string`, which clients of the original Python DaBroker can read.
    public var decimals: DecimalEncoding = .exact
    /// Whether the database's own error text (which may quote stored rows, keys and hidden
    /// values) is logged at notice level. Off by default: it is logged at debug level only.
    public var logDatabaseText: Bool = false
    /// Where requests, latencies and broadcasts are counted; `nil` (the default) counts
    /// nothing. Made with a factory of its own, so each server can own its registry.
    public var metrics: BrokerMetrics?

    public init(
        secret: String? = nil, staticLoaderID: String = "static", maxConcurrentRequests: Int = 16,
        maxFindLimit: Int = 1000, purgeOnStart: Bool = false, logger: Logger = Logger(label: "dabroker.server")
    ) {
        self.purgeOnStart = purgeOnStart
        self.secret = secret
        self.staticLoaderID = staticLoaderID
        self.maxConcurrentRequests = max(1, maxConcurrentRequests)
        self.maxFindLimit = max(1, maxFindLimit)
        self.logger = logger
    }
}
