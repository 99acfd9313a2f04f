import DaBrokerClient
import DaBrokerCore
import DaBrokerHTTP
import DaBrokerSQL
import DaBrokerServer
import Foundation
import Logging

/// A `BrokerServer` serving a small SQLite table `http_album` (id, title, hidden `secret`)
/// read-write through the SQL loader, over HTTP on a loopback ephemeral port.
struct SQLiteBroker {
    let server: BrokerServer
    let http: HTTPServerTransport
    let db: Database
    let path: String
    let port: Int

    static func start() async throws -> SQLiteBroker {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("http-e2e-\(UUID().uuidString).sqlite").path
        let db = try await Database.open(url: "sqlite:" + path)
        _ = try await db.execute(
            "CREATE TABLE http_album (id INTEGER PRIMARY KEY, title TEXT NOT NULL, secret TEXT)")
        for (id, title) in [(1, "Red"), (2, "Blue"), (3, "Blue")] {
            _ = try await db.execute(
                "INSERT INTO http_album (id, title, secret) VALUES (?, ?, ?)",
                [.int(Int64(id)), .string(title), .string("s\(id)")])
        }
        var logger = Logger(label: "http-sqlite")
        logger.logLevel = .warning
        let server = BrokerServer(configuration: .init(secret: "http-sqlite", logger: logger))
        let http = HTTPServerTransport(configuration: .init(port: 0), logger: logger)
        server.addTransport(http)
        let root = try server.addDataRoot()
        let loader = try await SQLLoader.reflecting(database: db, broker: server)
        try loader.addModel("http_album", into: root, rw: .readWrite, hide: ["secret"])
        try await server.start()
        guard let port = http.port else { throw BrokerError.internal("no bound port") }
        return SQLiteBroker(server: server, http: http, db: db, path: path, port: port)
    }

    /// A connected `BrokerClient` over HTTP.
    func client() async throws -> BrokerClient {
        let client = BrokerClient(transport: HTTPClientTransport(configuration: .init(port: port)))
        try await client.connect()
        return client
    }

    func stop() async {
        await server.stop()
        await db.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}
