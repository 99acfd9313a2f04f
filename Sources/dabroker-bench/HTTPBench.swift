import DaBrokerCore
import DaBrokerHTTP

/// Echo latency over HTTP: an `HTTPServerTransport` on a loopback ephemeral port whose
/// handler returns the request, called by an `HTTPClientTransport` (keep-alive connection),
/// `calls` times one after the other after `warmUp` unmeasured calls. p50 / p99 in µs.
func runHTTPEchoBenchmark(calls: Int, warmUp: Int) async throws -> (p50: Double, p99: Double) {
    let server = HTTPServerTransport(configuration: .init(port: 0))
    try await server.start { $0 }
    let client = HTTPClientTransport(configuration: .init(port: server.port ?? 0))
    let request = Array(#"{"data":{"_m":"echo","_a":{"_o":"LIST","_d":["hello"]}}}"#.utf8)
    let figures: (p50: Double, p99: Double)
    do {
        figures = try await BenchStats.latency(calls: calls, warmUp: warmUp) { _ = try await client.call(request) }
    } catch {
        await client.close()
        await server.stop()
        throw error
    }
    await client.close()
    await server.stop()
    return figures
}
