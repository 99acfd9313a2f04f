import DaBrokerCore
import DaBrokerHTTP

/// An HTTP server transport on a loopback ephemeral port whose handler echoes each request
/// (optionally after a delay), for tests of the transport alone.
struct EchoServer {
    let transport: HTTPServerTransport
    let port: Int

    init(_ configuration: HTTPServerConfiguration = .init(port: 0), delay: Duration? = nil) async throws {
        var configuration = configuration
        configuration.port = 0
        transport = HTTPServerTransport(configuration: configuration)
        try await transport.start { request in
            if let delay { try? await Task.sleep(for: delay) }
            return request
        }
        guard let port = transport.port, port > 0 else { throw BrokerError.internal("no bound port") }
        self.port = port
    }

    /// A broadcast message with the given msgid, shaped like the broker's.
    static func broadcast(_ id: Int64, key: String = "k") -> [UInt8] {
        Array(
            #"{"data":{"_m":"invalid_key","_key":{"_o":"Ref","k":["static","\#(key)"]}},"msgid":\#(id),"sid":"s1"}"#
                .utf8)
    }
}
