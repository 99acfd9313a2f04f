import DaBrokerCore
import DaBrokerHTTP
import DaBrokerServer
import DaBrokerServerTestSupport
import Logging

extension StaticBroker where Transport == HTTPServerTransport {
    /// The static broker over HTTP on a loopback ephemeral port, with `token` as the bearer
    /// token and `extra` as a second transport.
    init(token: String? = nil, extra: (any ServerTransport)? = nil) async throws {
        var logger = Logger(label: "http-e2e")
        logger.logLevel = .warning
        self = try await Self.start(
            HTTPServerTransport(configuration: .init(port: 0, bearerToken: token), logger: logger),
            configuration: .init(secret: "http-tests", maxFindLimit: 100, logger: logger), extra: extra)
        guard transport.port != nil else { throw BrokerError.internal("no bound port") }
    }

    /// The HTTP transport.
    var http: HTTPServerTransport { transport }
    /// The bound port.
    var port: Int { transport.port ?? 0 }
}
