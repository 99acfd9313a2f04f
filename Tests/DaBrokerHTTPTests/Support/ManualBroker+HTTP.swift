import DaBrokerClient
import DaBrokerCore
import DaBrokerHTTP
import DaBrokerServer
import DaBrokerServerTestSupport
import Logging

extension ManualBroker where Transport == HTTPServerTransport {
    /// The manual's example (with the in-memory table `album`) over HTTP on a loopback
    /// ephemeral port.
    init(http configuration: HTTPServerConfiguration = .init(port: 0)) async throws {
        var logger = Logger(label: "http-manual")
        logger.logLevel = .warning
        var configuration = configuration
        configuration.port = 0
        self = try await Self.start(
            HTTPServerTransport(configuration: configuration, logger: logger),
            configuration: .init(secret: "http-manual", logger: logger), album: true)
        guard transport.port != nil else { throw BrokerError.internal("no bound port") }
    }

    /// The HTTP transport.
    var http: HTTPServerTransport { transport }
    /// The bound port.
    var port: Int { transport.port ?? 0 }

    /// A connected `BrokerClient` over HTTP with its own cache.
    func client(token: String? = nil) async throws -> BrokerClient {
        let client = BrokerClient(
            transport: HTTPClientTransport(configuration: .init(port: port, bearerToken: token)))
        try await client.connect()
        return client
    }
}
