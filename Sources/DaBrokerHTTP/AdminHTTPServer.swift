import DaBrokerCore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// A small HTTP listener for operators only: `GET /metrics`, `GET /readyz` and
/// `GET /healthz`, for a server that serves only AMQP or that keeps these endpoints off its
/// public port. A swift-service-lifecycle `Service`: it serves until graceful shutdown.
public final class AdminHTTPServer: Service, Sendable {
    private let host: String
    private let requestedPort: Int
    private let bearerToken: String?
    private let operations: OperationsEndpoints
    private let slots: @Sendable () -> (used: Int, limit: Int)
    private let logger: Logger
    private let boundPort = SharedMutex<Int?>(nil)

    /// - Parameters:
    ///   - bearerToken: when set, required on every endpoint (else 401).
    ///   - slots: the server's requests in progress and its limit, reported by the probes.
    public init(
        host: String, port: Int, bearerToken: String?, operations: OperationsEndpoints,
        slots: @escaping @Sendable () -> (used: Int, limit: Int), logger: Logger
    ) {
        self.host = host
        self.requestedPort = port
        self.bearerToken = bearerToken
        self.operations = operations
        self.slots = slots
        self.logger = logger
    }

    /// The bound port once listening (useful with port 0).
    public var port: Int? { boundPort.withLock { $0 } }

    public func run() async throws {
        let responder = Responder(bearerToken: bearerToken, operations: operations, slots: slots)
        let logger = logger
        let host = host
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: requestedPort)),
            onServerRunning: { [boundPort = self.boundPort] channel in
                let port = channel.localAddress?.port ?? -1
                boundPort.withLock { $0 = port }
                logger.info("admin HTTP listening", metadata: ["host": "\(host)", "port": "\(port)"])
            },
            logger: logger)
        try await app.run()
    }

    private struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext
        let bearerToken: String?
        let operations: OperationsEndpoints
        let slots: @Sendable () -> (used: Int, limit: Int)

        func respond(to request: Request, context: Context) async throws -> Response {
            if let token = bearerToken {
                let header = request.headers[.authorization] ?? ""
                let prefix = "bearer "
                guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix,
                    ConstantTime.equal(Array(header.dropFirst(prefix.count).utf8), Array(token.utf8))
                else {
                    return HTTPRPCResponder.error(.unauthorized, .accessDenied, "missing or wrong bearer token")
                }
            }
            guard request.method == .get || request.method == .head else {
                return HTTPRPCResponder.error(.methodNotAllowed, .badRequest, "use GET")
            }
            let (used, limit) = slots()
            switch request.uri.path {
            case "/metrics":
                if let response = await operations.metricsResponse() { return response }
            case "/readyz": return await operations.healthResponse(ready: true, used: used, limit: limit)
            case "/healthz": return await operations.healthResponse(ready: false, used: used, limit: limit)
            default: break
            }
            return HTTPRPCResponder.error(
                .notFound, .badRequest,
                "no endpoint \(BrokerError.excerpt(request.uri.path)); use GET /metrics, /readyz or /healthz")
        }
    }
}
