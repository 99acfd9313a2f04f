import DaBrokerSQL
import Logging
import ServiceLifecycle

/// Watches a served database for schema changes (DDL) and says so: a gateway keeps serving
/// the schema it reflected at start-up, so a migration run while it serves needs a restart
/// (servers are stateless: restart them one at a time).
///
/// Every `interval` it computes the schema fingerprint (one catalog query, see
/// ``SchemaReflector/fingerprint(of:options:)``) and, when it differs from the last one seen,
/// logs a warning and calls `onChange`. A failed check is logged and retried at the next
/// interval. Runs until cancelled or until graceful shutdown.
public struct SchemaWatch: Service {
    let database: Database
    let fingerprint: String
    let options: ReflectionOptions
    let interval: Duration
    let logger: Logger
    let onChange: @Sendable (_ fingerprint: String) async -> Void

    /// - Parameters:
    ///   - fingerprint: the fingerprint of the schema being served (``DatabaseSchema/fingerprint``).
    ///   - options: the options the schema was reflected with.
    public init(
        database: Database, fingerprint: String, options: ReflectionOptions = ReflectionOptions(),
        interval: Duration, logger: Logger = Logger(label: "dabroker.schema"),
        onChange: @escaping @Sendable (_ fingerprint: String) async -> Void = { _ in }
    ) {
        self.database = database
        self.fingerprint = fingerprint
        self.options = options
        self.interval = interval
        self.logger = logger
        self.onChange = onChange
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown { try await watch() }
    }

    private func watch() async throws {
        var known = fingerprint
        while true {
            try await Task.sleep(for: interval)
            let now: String
            do {
                now = try await database.withConnection { [options] in
                    try await SchemaReflector.fingerprint(of: $0, options: options)
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.notice("schema check of \(database.displayURL) failed: \(error)")
                continue
            }
            guard now != known else { continue }
            known = now
            logger.warning(
                """
                the schema of \(database.displayURL) changed since it was reflected: this server still serves \
                the old one; restart it to serve the new schema
                """)
            await onChange(now)
        }
    }
}
