import CoreMetrics
import DaBrokerCore
import DaBrokerSQL
import Synchronization

/// The gateway's metrics (swift-metrics), made by the factory given to `init` — never the
/// global `MetricsSystem` — so that each server, test or benchmark owns its own registry.
/// `dabroker serve` passes a Prometheus factory and serves its registry on `GET /metrics`.
///
/// Requests, latencies, in-flight requests and broadcasts are recorded as they happen
/// (``BrokerServer`` does it when its configuration has a `metrics`). Numbers owned by other
/// parts (a pool's connections, event-stream readers, AMQP reconnects) are read by samplers
/// added with ``addSampler(_:)`` and run by ``collect()`` just before each scrape.
///
/// Every label value comes from a fixed set (``Method/label(_:)``, the transport names of
/// ``RequestContext/Transport``, ``Outcome``), so the number of series stays bounded
/// whatever clients send. `docs/operations.md` lists the metrics.
public final class BrokerMetrics: Sendable {
    /// The factory every metric is made with.
    public let factory: any MetricsFactory
    private let requestCounters = Mutex<[String: Counter]>([:])
    private let durationTimers = Mutex<[String: Timer]>([:])
    private let broadcastCounters = Mutex<[String: Counter]>([:])
    private let samplers = Mutex<[@Sendable () async -> Void]>([])
    private let sampledTotals = Mutex<[String: Int]>([:])
    private let inFlight: Meter
    private let limit: Meter

    /// How a request ended, as the `outcome` label.
    public enum Outcome: String, Sendable, CaseIterable {
        /// A reply with data.
        case ok
        /// An error reply the client caused or can fix (`BadRequest`, `NoData`,
        /// `AccessDenied`, a refused write, …).
        case clientError = "client_error"
        /// `Unavailable`: the database or the server could not take the request now.
        case unavailable
        /// `Internal`: a fault of the server.
        case serverError = "server_error"

        /// The outcome of an error reply of kind `kind`.
        public init(_ kind: BrokerError.Kind) {
            switch kind {
            case .unavailable: self = .unavailable
            case .internal: self = .serverError
            default: self = .clientError
            }
        }
    }

    public init(factory: any MetricsFactory) {
        self.factory = factory
        inFlight = Meter(label: "dabroker_requests_in_flight", factory: factory)
        limit = Meter(label: "dabroker_request_limit", factory: factory)
    }

    /// Records one answered request: `dabroker_requests_total{method,transport,outcome}` and
    /// `dabroker_request_duration_seconds{method}`.
    public func recordRequest(method: String, transport: String, outcome: Outcome, duration: Duration) {
        let key = "\(method)\u{1}\(transport)\u{1}\(outcome.rawValue)"
        let counter = requestCounters.withLock { counters in
            if let c = counters[key] { return c }
            let c = Counter(
                label: "dabroker_requests_total",
                dimensions: [("method", method), ("transport", transport), ("outcome", outcome.rawValue)],
                factory: factory)
            counters[key] = c
            return c
        }
        counter.increment()
        let timer = durationTimers.withLock { timers in
            if let t = timers[method] { return t }
            let t = Timer(
                label: "dabroker_request_duration_seconds", dimensions: [("method", method)], factory: factory)
            timers[method] = t
            return t
        }
        let (seconds, attoseconds) = duration.components
        timer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Sets `dabroker_requests_in_flight` (requests admitted and not yet answered).
    func setInFlight(_ count: Int) { inFlight.set(count) }

    /// Sets `dabroker_request_limit` (the most requests run at once).
    func setLimit(_ count: Int) { limit.set(count) }

    /// Counts one broadcast of `kind` (`invalid_key`, `created` or `resync`) in
    /// `dabroker_broadcasts_total{kind}`.
    func countBroadcast(_ kind: String) {
        broadcastCounters.withLock { counters in
            if let c = counters[kind] { return c }
            let c = Counter(label: "dabroker_broadcasts_total", dimensions: [("kind", kind)], factory: factory)
            counters[kind] = c
            return c
        }.increment()
    }

    /// Adds work run by ``collect()`` before each scrape: typically reading a number owned
    /// elsewhere into a gauge (``gauge(_:_:)``) or a total into a counter (``total(_:_:_:)``).
    public func addSampler(_ sampler: @escaping @Sendable () async -> Void) {
        samplers.withLock { $0.append(sampler) }
    }

    /// Runs every sampler; call it just before rendering the registry.
    public func collect() async {
        for sampler in samplers.withLock({ $0 }) { await sampler() }
    }

    /// A gauge named `label` with fixed `dimensions`, made by this object's factory.
    public func gauge(_ label: String, _ dimensions: [(String, String)] = []) -> Meter {
        Meter(label: label, dimensions: dimensions, factory: factory)
    }

    /// A counter named `label` with fixed `dimensions`, made by this object's factory.
    public func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Counter {
        Counter(label: label, dimensions: dimensions, factory: factory)
    }

    /// Moves the counter `label{dimensions}` up to `value`, a running total kept elsewhere
    /// (a pool's acquire timeouts, a transport's reconnects): it grows by the difference
    /// since the last call, and never goes down.
    public func total(_ label: String, _ dimensions: [(String, String)] = [], _ value: Int) {
        let key = ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: "\u{1}")
        let delta = sampledTotals.withLock { totals -> Int in
            let last = totals[key] ?? 0
            totals[key] = max(last, value)
            return value - last
        }
        let c = counter(label, dimensions)
        if delta > 0 { c.increment(by: delta) }
    }

    /// Samples `database`'s pool as `dabroker_pool_*{database}`: connections open, lent out,
    /// the pool's size, tasks waiting for a connection, and acquire timeouts.
    public func watchPool(of database: Database, name: String) {
        let dims = [("database", name)]
        let open = gauge("dabroker_pool_connections", dims)
        let inUse = gauge("dabroker_pool_connections_in_use", dims)
        let size = gauge("dabroker_pool_size", dims)
        let waiters = gauge("dabroker_pool_waiters", dims)
        size.set(database.pool.maxConnections)
        total("dabroker_pool_acquire_timeouts_total", dims, 0)
        let pool = database.pool
        addSampler { [self] in
            let (o, idle, waiting, timeouts) = pool.statistics
            open.set(o)
            inUse.set(o - idle)
            waiters.set(waiting)
            total("dabroker_pool_acquire_timeouts_total", dims, timeouts)
        }
    }
}
