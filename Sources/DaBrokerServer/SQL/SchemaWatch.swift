import DaBrokerSQL
import Logging
import ServiceLifecycle

/// Watches a served database for schema changes (DDL) and reloads or reports them.
///
/// Every `interval` it computes the schema fingerprint (one catalog query, see
/// ``SchemaReflector/fingerprint(of:options:)``). When it differs from the last one seen, it
/// calls `reload` — typically re-reflecting and ``SQLLoader/reload(_:exports:)`` — or, without
/// one, logs a warning that the server still serves the old schema. A failed check or reload
/// is logged; the server keeps serving what it served, and a failed reload is tried again at
/// the next check. Runs until cancelled or until graceful shutdown.
public struct SchemaWatch: Service {
    let database: Database
    let fingerprint: String
    let options: ReflectionOptions
    let interval: Duration
    let logger: Logger
    let reload: (@Sendable () async throws -> Void)?

    /// - Parameters:
    ///   - fingerprint: the fingerprint of the schema being served (``DatabaseSchema/fingerprint``).
    ///   - options: the options the schema was reflected with.
    ///   - reload: serves the changed schema; `nil` only reports the change.
    public init(
        database: Database, fingerprint: String, options: ReflectionOptions = ReflectionOptions(),
        interval: Duration, logger: Logger = Logger(label: "dabroker.schema"),
        reload: (@Sendable () async throws -> Void)? = nil
    ) {
        self.database = database
        self.fingerprint = fingerprint
        self.options = options
        self.interval = interval
        self.logger = logger
        self.reload = reload
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
            guard let reload else {
                known = now
                logger.warning(
                    """
                    the schema of \(database.displayURL) changed since it was reflected: this server still serves \
                    the old one; restart it to serve the new schema
                    """)
                continue
            }
            do {
                try await reload()
                known = now
                logger.notice("the schema of \(database.displayURL) changed: reloaded")
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.error(
                    """
                    the schema of \(database.displayURL) changed but could not be reloaded (\(error)); \
                    still serving the previous one, trying again at the next check
                    """)
            }
        }
    }
}
