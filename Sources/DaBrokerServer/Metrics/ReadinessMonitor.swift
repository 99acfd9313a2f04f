import DaBrokerCore
import DaBrokerSQL
import Logging
import ServiceLifecycle
import Synchronization

/// Readiness: can this server take a call now? The database is checked every `interval`
/// (one `SELECT 1`, bounded by the interval) by ``run()``, not per probe, so a probe costs
/// nothing and a busy prober cannot load the database; links and room are read at each probe.
///
/// ``report()`` is ready only when the last database check answered, every link check
/// (the AMQP transport's connection, if configured) says up, and the server has room
/// for another request. `GET /readyz` answers 200 or 503 from it.
public final class ReadinessMonitor: Service, Sendable {
    /// What a probe answers.
    public struct Report: Sendable, Equatable {
        /// Whether every check passed.
        public var ready: Bool
        /// Why not, one short reason per failed check (no values, no credentials).
        public var reasons: [String]
    }

    private let database: Database?
    private let interval: Duration
    private let logger: Logger
    private let links: [(name: String, isUp: @Sendable () -> Bool)]
    private let hasRoom: @Sendable () -> Bool
    /// The last database check: `nil` until the first one finished, then the failure (if any).
    private let databaseState = Mutex<DatabaseState>(.unknown)
    /// The state last logged, so that each change is logged once.
    private let loggedState = Mutex<DatabaseState>(.unknown)

    private enum DatabaseState: Equatable {
        case unknown, up
        case down(String)
    }

    /// - Parameters:
    ///   - database: checked every `interval`; `nil` skips the check (a server without one).
    ///   - links: named checks read at each probe, e.g. `("amqp", { amqp.isConnected })`.
    ///   - hasRoom: whether another request would start at once (`BrokerServer.hasRoom`).
    public init(
        database: Database?, interval: Duration, links: [(name: String, isUp: @Sendable () -> Bool)] = [],
        hasRoom: @escaping @Sendable () -> Bool, logger: Logger
    ) {
        self.database = database
        self.interval = interval
        self.links = links
        self.hasRoom = hasRoom
        self.logger = logger
    }

    /// The current readiness.
    public func report() -> Report {
        var reasons: [String] = []
        if database != nil {
            switch databaseState.withLock({ $0 }) {
            case .unknown: reasons.append("database not checked yet")
            case .down(let why): reasons.append("database: \(why)")
            case .up: break
            }
        }
        for link in links where !link.isUp() { reasons.append("\(link.name) link down") }
        if !hasRoom() { reasons.append("every request slot is taken") }
        return Report(ready: reasons.isEmpty, reasons: reasons)
    }

    /// Checks the database once now (``run()`` does it every interval).
    public func checkDatabase() async {
        guard let database else { return }
        let outcome: DatabaseState
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await database.execute("SELECT 1") }
                group.addTask {
                    try await Task.sleep(for: self.interval)
                    // A statement stuck in the driver may not end on cancellation, and the group
                    // waits for it: say "down" now rather than when it ends.
                    self.databaseState.withLock { $0 = .down("no answer within the check interval") }
                    throw DatabaseError(.unavailable, "no answer within the check interval")
                }
                try await group.next()
                group.cancelAll()
            }
            outcome = .up
        } catch let error as DatabaseError {
            outcome = .down(error.kind.rawValue)
        } catch {
            outcome = .down("check failed")
        }
        databaseState.withLock { $0 = outcome }
        let previous = loggedState.withLock { state in
            defer { state = outcome }
            return state
        }
        if previous != outcome {
            switch outcome {
            case .up: logger.notice("readiness: \(database.displayURL) answers")
            case .down(let why): logger.warning("readiness: \(database.displayURL) does not answer (\(why))")
            case .unknown: break
            }
        }
    }

    /// Checks the database every interval until graceful shutdown or cancellation.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.checkDatabase()
                try? await Task.sleep(for: self.interval)
            }
        }
    }
}
