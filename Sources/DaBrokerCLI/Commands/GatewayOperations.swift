import DaBrokerAMQP
import DaBrokerCore
import DaBrokerHTTP
import DaBrokerSQL
import DaBrokerServer
import Logging
import Prometheus
import ServiceLifecycle

/// The operator's side of a gateway: its Prometheus registry (made here, by `serve`, never
/// the global `MetricsSystem`), the ``BrokerMetrics`` the server records into, the readiness
/// monitor and, when configured, the admin listener. See `docs/operations.md`.
final class GatewayOperations: Sendable {
    let settings: GatewayConfiguration.OperationsSettings
    let registry = PrometheusCollectorRegistry()
    let metrics: BrokerMetrics?
    let logger: Logger

    init(_ settings: GatewayConfiguration.OperationsSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        metrics = settings.metrics ? BrokerMetrics(factory: PrometheusMetricsFactory(registry: registry)) : nil
    }

    /// The registry in Prometheus text format, after the samplers ran.
    func render() async -> [UInt8] {
        await metrics?.collect()
        return registry.emitToBuffer()
    }

    /// Watches the database for readiness and wires the samplers of what the gateway runs.
    /// Returns the services to run beside the server (the readiness monitor, the admin
    /// listener) and what the HTTP transport serves on `/metrics` and `/readyz`.
    func attach(
        server: BrokerServer, database: Database, amqp: AMQPServerTransport?, databaseName: String
    ) -> (monitor: ReadinessMonitor, endpoints: OperationsEndpoints) {
        var links: [(name: String, isUp: @Sendable () -> Bool)] = []
        if let amqp { links.append(("amqp", { amqp.isConnected })) }
        let monitor = ReadinessMonitor(
            database: database, interval: .milliseconds(Int(settings.readinessCheckSeconds * 1000)), links: links,
            hasRoom: { server.hasRoom }, logger: logger)
        if let metrics {
            metrics.watchPool(of: database, name: databaseName)
            if let amqp {
                let connected = metrics.gauge("dabroker_amqp_connected")
                metrics.total("dabroker_amqp_reconnects_total", [], 0)
                metrics.addSampler {
                    connected.set(amqp.isConnected ? 1 : 0)
                    metrics.total("dabroker_amqp_reconnects_total", [], amqp.reconnects)
                }
            }
        }
        var endpoints = OperationsEndpoints()
        endpoints.readiness = { @Sendable () async -> (ready: Bool, reasons: [String]) in
            let report = monitor.report()
            return (report.ready, report.reasons)
        }
        if metrics != nil {
            endpoints.metrics = { @Sendable [self] () async -> [UInt8] in await self.render() }
        }
        return (monitor, endpoints)
    }

    /// Samples an HTTP transport's event streams: `dabroker_sse_subscribers` and
    /// `dabroker_sse_resyncs_total`.
    func watch(_ http: HTTPServerTransport) {
        guard let metrics else { return }
        let subscribers = metrics.gauge("dabroker_sse_subscribers")
        metrics.total("dabroker_sse_resyncs_total", [], 0)
        metrics.addSampler {
            subscribers.set(http.eventStreamCount)
            metrics.total("dabroker_sse_resyncs_total", [], http.eventStreamResyncs)
        }
    }

    /// Counts a schema reload in `dabroker_schema_reloads_total{result}` around `reload`.
    func counting(_ reload: @escaping @Sendable () async throws -> Void) -> @Sendable () async throws -> Void {
        guard let metrics else { return reload }
        let ok = metrics.counter("dabroker_schema_reloads_total", [("result", "ok")])
        let failed = metrics.counter("dabroker_schema_reloads_total", [("result", "failed")])
        return {
            do {
                try await reload()
                ok.increment()
            } catch {
                failed.increment()
                throw error
            }
        }
    }

    /// The admin listener, if `operations.admin_port` is set.
    func adminServer(
        endpoints: OperationsEndpoints, server: BrokerServer, httpToken: String?
    ) -> AdminHTTPServer? {
        guard let port = settings.adminPort else { return nil }
        let limit = server.configuration.maxConcurrentRequests
        return AdminHTTPServer(
            host: settings.adminHost, port: port, bearerToken: settings.adminToken ?? httpToken,
            operations: endpoints, slots: { (server.requestsInProgress, limit) }, logger: logger)
    }
}
