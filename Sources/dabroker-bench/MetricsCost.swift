import DaBrokerServer
import Prometheus

/// The cost of metrics on get-by-key: the same in-process calls on two gateways over one
/// SQLite database, one without metrics and one recording into a Prometheus registry (as
/// `dabroker serve` does). A warm-up round (without, with), then the reported round in the
/// other order (with, without).
enum MetricsCost {
    static func measure(_ database: BenchDatabase, settings: BenchSettings) async throws -> (
        without: (p50: Double, p99: Double), with: (p50: Double, p99: Double)
    ) {
        let registry = PrometheusCollectorRegistry()
        let plain = try await BenchGateway(database: database, amqp: nil)
        let counted = try await BenchGateway(
            database: database, amqp: nil, metrics: BrokerMetrics(factory: PrometheusMetricsFactory(registry: registry))
        )
        do {
            // Round one warms both (without, then with); round two, reported, runs them in the
            // other order, so that whatever favours the later run does not favour metrics.
            _ = try await getByKey(plain, settings)
            _ = try await getByKey(counted, settings)
            let with = try await getByKey(counted, settings)
            let without = try await getByKey(plain, settings)
            await plain.stop()
            await counted.stop()
            guard registry.emitToString().contains(#"dabroker_requests_total{method="get""#) else {
                throw BenchFailure("the registry did not count the get calls")
            }
            return (without, with)
        } catch {
            await plain.stop()
            await counted.stop()
            throw error
        }
    }

    private static func getByKey(_ gateway: BenchGateway, _ settings: BenchSettings) async throws -> (
        p50: Double, p99: Double
    ) {
        let client = try await gateway.client("inprocess")
        let refs = (1...1000).map { gateway.rowRef($0) }
        var i = 0
        let figures = try await BenchStats.latency(calls: settings.calls, warmUp: settings.warmUp) {
            client.clearCache()
        } body: {
            i = (i + 1) % refs.count
            _ = try await client.get(refs[i])
        }
        await client.close()
        return figures
    }
}
