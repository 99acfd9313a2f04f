import DaBrokerCore
import Logging

extension BrokerServer {
    /// The method of a decoded request's data as a bounded label (``Method/label(_:)``).
    static func methodLabel(_ data: Value) -> String {
        guard case .dict(let d) = data, case .string(let m)? = d["_m"] else { return "other" }
        return Method.label(m)
    }

    /// Counts and times one answered request, and logs it at debug level (method, outcome,
    /// duration: never an argument or a value).
    func answered(
        method: String, outcome: BrokerMetrics.Outcome, context: RequestContext, since: ContinuousClock.Instant
    ) {
        let duration = ContinuousClock.now - since
        if let metrics = configuration.metrics {
            metrics.recordRequest(method: method, transport: context.transport, outcome: outcome, duration: duration)
        }
        if logger.logLevel <= .debug {
            let (seconds, attoseconds) = duration.components
            let ms = Double(seconds) * 1000 + Double(attoseconds) / 1e15
            logger.debug(
                "request answered",
                metadata: [
                    "method": "\(method)", "outcome": "\(outcome.rawValue)",
                    "duration_ms": "\(Double(Int(ms * 1000)) / 1000)",
                ])
        }
    }

    /// Whether a new request would start at once (fewer requests in progress than
    /// ``BrokerServerConfiguration/maxConcurrentRequests``): readiness.
    public var hasRoom: Bool { requestsInProgress < configuration.maxConcurrentRequests }
}
