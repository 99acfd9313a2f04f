import DaBrokerCore
import DaBrokerHTTP

/// Latency of sequential calls over the HTTP transport.
struct HTTPBenchResult: Sendable, CustomStringConvertible {
    var label: String
    var count: Int
    var median: Duration
    var p99: Duration

    var description: String {
        "\(label): n=\(count) median=\(Self.micros(median)) µs p99=\(Self.micros(p99)) µs"
    }

    static func micros(_ d: Duration) -> String {
        let (seconds, attos) = d.components
        let us = Double(seconds) * 1_000_000 + Double(attos) / 1_000_000_000_000
        return String(Int(us.rounded()))
    }
}

/// Sends `request` `iterations` times, one after the other, after `warmup` unmeasured calls,
/// and returns the median and 99th-percentile latency.
func measureHTTPLatency(
    _ label: String, client: HTTPClientTransport, request: [UInt8], iterations: Int = 2000, warmup: Int = 200
) async throws -> HTTPBenchResult {
    for _ in 0..<warmup { _ = try await client.call(request) }
    let clock = ContinuousClock()
    var samples: [Duration] = []
    samples.reserveCapacity(iterations)
    for _ in 0..<iterations {
        let start = clock.now
        _ = try await client.call(request)
        samples.append(clock.now - start)
    }
    samples.sort()
    guard !samples.isEmpty else { return HTTPBenchResult(label: label, count: 0, median: .zero, p99: .zero) }
    let p99 = samples[min(samples.count - 1, Int((Double(samples.count) * 0.99).rounded(.up)) - 1)]
    return HTTPBenchResult(label: label, count: samples.count, median: samples[samples.count / 2], p99: p99)
}

/// Echo latency over HTTP: an `HTTPServerTransport` on a loopback ephemeral port whose
/// handler returns the request, called by an `HTTPClientTransport` (keep-alive connection).
/// Prints and returns the figures.
@discardableResult
func runHTTPEchoBenchmark(iterations: Int = 2000, warmup: Int = 200) async throws -> HTTPBenchResult {
    let server = HTTPServerTransport(configuration: .init(port: 0))
    try await server.start { $0 }
    defer { Task { await server.stop() } }
    let client = HTTPClientTransport(configuration: .init(port: server.port ?? 0))
    defer { Task { await client.close() } }
    let request = Array(#"{"data":{"_m":"echo","_a":{"_o":"LIST","_d":["hello"]}}}"#.utf8)
    let result = try await measureHTTPLatency(
        "HTTP echo", client: client, request: request, iterations: iterations, warmup: warmup)
    print(result)
    return result
}
