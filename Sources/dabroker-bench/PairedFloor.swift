import DaBrokerCore
import DaBrokerHTTP
import DaBrokerSQL
import Foundation

/// The floor of one transport and backend, called in rounds between the gateway's own calls
/// (``GatewayLatency``): the transport's echo floor and the driver's statements on a
/// connection of their own, as the standalone `echo_floor` and `*_floor` rows measure them.
///
/// Floor and gateway then see the same machine. Measured minutes apart, as the standalone
/// rows are, they may not: this machine's speed changes by up to 1.7 × for minutes at a time
/// (`docs/performance.md`, "Method").
final class PairedFloor {
    /// `n` echo-floor calls; their times in µs.
    private let echo: (Int) async throws -> [Double]
    private let close: () async -> Void
    private let conn: any DatabaseConnection

    private init(
        echo: @escaping (Int) async throws -> [Double], close: @escaping () async -> Void,
        conn: any DatabaseConnection
    ) {
        self.echo = echo
        self.close = close
        self.conn = conn
    }

    /// The floor of `transport` (`inprocess`, `http` or `amqp`, which needs `amqpURL`) over
    /// `database`.
    static func open(transport: String, database: BenchDatabase, amqpURL: String?) async throws -> PairedFloor {
        let conn = try await DatabaseConnector.connect(
            url: database.url, options: DatabaseOptions(logger: BenchGateway.quiet("driver")))
        switch transport {
        case "inprocess":
            let server = InProcessServerTransport()
            return try await echoing(server, conn) { [server] in server.makeClient() }
        case "http":
            // Without `connect()`, as the `echo_floor` row: a call needs no event stream.
            let server = HTTPServerTransport(configuration: .init(port: 0))
            return try await echoing(server, conn, connect: false) { [server] in
                HTTPClientTransport(configuration: .init(port: server.port ?? 0))
            }
        default:
            guard let amqpURL else { throw BenchFailure("the AMQP floor needs DABROKER_TEST_AMQP_URL") }
            let c = try benchConfiguration(amqpURL)
            let stop = BenchFlag()
            try await RawEcho.start(c, stop: stop)
            return PairedFloor(
                echo: { n in try await RawEcho.callMicros(c, calls: n) },
                close: {
                    stop.value.store(true, ordering: .releasing)
                    _ = try? await onBenchThread { try RawEcho.deleteNames(c) }
                }, conn: conn)
        }
    }

    /// The floor of a transport whose server answers the request itself, started here, with
    /// the client `makeClient` gives once it runs.
    private static func echoing(
        _ server: some ServerTransport, _ conn: any DatabaseConnection, connect: Bool = true,
        makeClient: () -> any ClientTransport
    ) async throws -> PairedFloor {
        try await server.start { $0 }
        let client = makeClient()
        if connect { try await client.connect() }
        return PairedFloor(
            echo: { n in try await BenchStats.samples(n) { _ = try await client.call(echoRequest) } },
            close: {
                await client.close()
                await server.stop()
            }, conn: conn)
    }

    /// Stops the echo server and closes the connection.
    func stop() async {
        await close()
        await conn.close()
    }

    /// `n` echo-floor calls; their times in µs.
    func echoes(_ n: Int) async throws -> [Double] { try await echo(n) }

    /// `n` SELECTs by key (rows 1…1000 in turn) on the floor's own connection; µs each.
    func selectsByKey(_ n: Int) async throws -> [Double] {
        let sql = DriverFloors.selectPK(conn.dialect)
        var i = 0
        return try await BenchStats.samples(n) {
            i = i % 1000 + 1
            _ = try await conn.execute(sql, [.int(Int64(i))])
        }
    }

    /// `n` SELECTs of 50 rows; µs each.
    func selects50(_ n: Int) async throws -> [Double] {
        let sql = DriverFloors.select50(conn.dialect)
        return try await BenchStats.samples(n) { _ = try await conn.execute(sql, []) }
    }

    /// `n` COUNT(*)s; µs each.
    func counts(_ n: Int) async throws -> [Double] {
        let sql = DriverFloors.count(conn.dialect)
        return try await BenchStats.samples(n) { _ = try await conn.execute(sql, []) }
    }

    private static let echoRequest = Array(#"{"data":{"_m":"echo","_a":{"_o":"LIST","_d":["hi"]}}}"#.utf8)
}
