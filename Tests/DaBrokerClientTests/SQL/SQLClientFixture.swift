import DaBrokerClient
import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import DaBrokerServerTestSupport

/// A broker serving Chinook through a SQL loader over the in-process transport, and clients.
///
/// Artist and Genre are read-write, Album and Track read-only, Customer read-only with its
/// `Email` hidden.
struct SQLClientFixture {
    let server: BrokerServer
    let transport: InProcessServerTransport
    let db: Database
    let n: ChinookNames

    static func start(_ backend: ChinookBackend) async throws -> SQLClientFixture {
        let n = backend.names
        let db = try await backend.database(named: "client_chinook")
        let (server, transport, root) = try serverWithRoot(secret: "client-sql-tests")
        let sql = try await SQLLoader.reflecting(database: db, broker: server)
        try sql.addModel(n.artist, into: root, rw: .readWrite)
        try sql.addModel(n.genre, into: root, rw: .readWrite)
        try sql.addModel(n.album, into: root)
        try sql.addModel(n.track, into: root)
        try sql.addModel(n.customer, into: root, hide: [n.email])
        try await server.start()
        return SQLClientFixture(server: server, transport: transport, db: db, n: n)
    }

    /// A server (not started) on the in-process transport, with a root whose `data` receives
    /// table infos.
    static func serverWithRoot(secret: String) throws -> (BrokerServer, InProcessServerTransport, StaticObject) {
        let server = BrokerServer(configuration: .init(secret: secret))
        let transport = InProcessServerTransport()
        server.addTransport(transport)
        let root = try server.addDataRoot()
        return (server, transport, root)
    }

    func client() async throws -> BrokerClient {
        let client = BrokerClient(transport: transport.makeClient())
        try await client.connect()
        return client
    }

    func stop() async {
        await server.stop()
        await db.close()
    }

    /// Removes rows a test made, whatever state it left them in.
    func deleteRows(_ table: String, _ column: String, from low: Int64, to high: Int64) async throws {
        let q = db.dialect
        _ = try await db.execute(
            "DELETE FROM \(q.quote(table)) WHERE \(q.quote(column)) >= \(q.placeholder(0)) AND \(q.quote(column)) <= \(q.placeholder(1))",
            [.int(low), .int(high)])
    }
}
