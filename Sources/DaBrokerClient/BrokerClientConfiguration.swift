import Logging

extension BrokerClient {
    /// How a ``BrokerClient`` caches and waits.
    public struct Configuration: Sendable {
        /// The most objects the cache keeps (and, separately, the most results of `cached`
        /// calls); the least recently used go first. Default 10 000.
        public var cacheSize: Int
        /// How long a reply waits for the broadcasts it follows (read-your-writes) before the
        /// client gives up, drops its whole cache and uses the reply. Default 2 s.
        public var readYourWritesTimeout: Duration
        /// Where the client logs cache flushes and protocol surprises.
        public var logger: Logger

        public init(
            cacheSize: Int = 10_000, readYourWritesTimeout: Duration = .seconds(2),
            logger: Logger = Logger(label: "dabroker.client")
        ) {
            self.cacheSize = cacheSize
            self.readYourWritesTimeout = readYourWritesTimeout
            self.logger = logger
        }
    }
}
