import DaBrokerAMQP
import DaBrokerClient
import DaBrokerCore
import DaBrokerHTTP
import DaBrokerSQL
import DaBrokerServer
import Foundation
import Logging

/// A `BrokerServer` with a `SQLLoader` exporting `bench_item` (read-write) from one
/// benchmark database, reachable in-process, over AMQP (when a URL is given) and over HTTP
/// (loopback, ephemeral port), all at once.
final class BenchGateway: Sendable {
    static let secret = "dabroker-bench-secret"

    let database: BenchDatabase
    let db: Database
    let server: BrokerServer
    let loader: SQLLoader
    let inProcess: InProcessServerTransport
    let http: HTTPServerTransport
    let amqp: AMQPConfiguration?

    /// Starts the gateway; `amqp` carries the queue and exchange names to serve; with
    /// `metrics` the server counts and times every request into it.
    init(database: BenchDatabase, amqp: AMQPConfiguration?, metrics: BrokerMetrics? = nil) async throws {
        self.database = database
        self.amqp = amqp
        db = try await Database.open(url: database.url, options: DatabaseOptions(logger: Self.quiet("db")))
        var configuration = BrokerServerConfiguration(
            secret: Self.secret, maxConcurrentRequests: 64, maxFindLimit: 10_000, logger: Self.quiet("server"))
        configuration.metrics = metrics
        server = BrokerServer(configuration: configuration)
        inProcess = InProcessServerTransport()
        server.addTransport(inProcess)
        http = HTTPServerTransport(configuration: .init(port: 0), logger: Self.quiet("http"))
        server.addTransport(http)
        if let amqp { server.addTransport(AMQPServerTransport(configuration: amqp, logger: Self.quiet("amqp"))) }
        let root = try server.addDataRoot()
        // The benchmark's own database holds only bench_item: the default schemas suffice.
        loader = try await SQLLoader.reflecting(database: db, broker: server)
        try loader.addModel(BenchDatabase.table, into: root, rw: .readWrite)
        try await server.start(purge: true)
    }

    /// A connected client over `transport` (`inprocess`, `amqp` or `http`).
    func client(_ transport: String, cacheSize: Int = 10_000) async throws -> BrokerClient {
        let t: any ClientTransport
        switch transport {
        case "inprocess": t = inProcess.makeClient()
        case "amqp":
            guard let amqp else { throw BrokerError.internal("no AMQP URL") }
            t = AMQPClientTransport(configuration: amqp, logger: Self.quiet("amqp.client"))
        default:
            t = HTTPClientTransport(configuration: .init(port: http.port ?? 0), logger: Self.quiet("http.client"))
        }
        let client = BrokerClient(
            transport: t, configuration: .init(cacheSize: cacheSize, logger: Self.quiet("client")))
        try await client.connect()
        return client
    }

    /// The signed ref of row `id` (as a client would be given it).
    func rowRef(_ id: Int) -> Ref {
        let key = loader.rowKey(BenchDatabase.table, [.int(Int64(id))])
        return Ref(key: key, code: server.codes.code(for: key))
    }

    /// The `get` request of row `id` as `BrokerClient` encodes it with its cache off.
    func encodedGet(_ id: Int) -> [UInt8] {
        JSONCodec().encode(Message(data: Request(method: Method.get, args: [.ref(rowRef(id))]).value))
    }

    func stop() async {
        await server.stop()
        await db.close()
    }

    /// A logger that only reports warnings and errors, so the table stays readable.
    static func quiet(_ label: String) -> Logger {
        var logger = Logger(label: "dabroker.bench." + label)
        logger.logLevel = .warning
        return logger
    }
}
