import DaBrokerCore
import DaBrokerHTTP
import Testing

/// Prints request latency over HTTP (loopback, sequential, after warm-up). Figures only.
@Suite("HTTP latency")
struct HTTPLatencyTests {
    @Test("echo over HTTP with HTTPClientTransport")
    func echo() async throws {
        let server = try await EchoServer()
        let client = HTTPClientTransport(configuration: .init(port: server.port))
        let request = Array(#"{"data":{"_m":"echo","_a":{"_o":"LIST","_d":["hello"]}}}"#.utf8)
        let latency = try await Latency.measure("HTTP echo (transport only)") {
            _ = try await client.call(request)
        }
        print(latency)
        #expect(latency.samples.count == 2000)
        await client.close()
        await server.transport.stop()
    }
}
