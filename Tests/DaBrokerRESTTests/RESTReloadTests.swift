import DaBrokerHTTP
import DaBrokerREST
import DaBrokerSQL
import DaBrokerServer
import DaBrokerServerTestSupport
import DaBrokerTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The OpenAPI document and the table list follow a schema reload (DDL while serving).
@Suite("REST face: schema reload")
struct RESTReloadTests {
    @Test(arguments: ChinookBackend.available)
    func openAPIFollowsTheReloadedSchema(_ backend: ChinookBackend) async throws {
        let name = "rest_reload_\(getpid())"
        let db = try await Database.open(url: try await TestDatabases.create(backend.kind, named: name))
        do {
            try await check(db)
            await db.close()
            try await TestDatabases.drop(backend.kind, named: name)
        } catch {
            await db.close()
            try? await TestDatabases.drop(backend.kind, named: name)
            throw error
        }
    }

    private func check(_ db: Database) async throws {
        _ = try await db.execute("CREATE TABLE thing (id INTEGER PRIMARY KEY, name VARCHAR(40))")
        let server = BrokerServer(configuration: .init(secret: "rest-reload"))
        let http = HTTPServerTransport(configuration: .init(port: 0))
        server.addTransport(http)
        let root = try server.addDataRoot()
        let sql = try await SQLLoader.reflecting(database: db, broker: server)
        try sql.addModel("thing", into: root, rw: .readWrite)
        http.mount(RESTFace(server: server, loader: sql))
        try await server.start()
        defer { Task { await server.stop() } }
        let base = "http://127.0.0.1:\(http.port ?? 0)"

        let before = try await Self.text(base + "/api/openapi.json")
        #expect(before.contains("\"name\"") && !before.contains("\"note\""))
        #expect(!before.contains("/api/extra"))

        _ = try await db.execute("ALTER TABLE thing ADD COLUMN note VARCHAR(40)")
        _ = try await db.execute("CREATE TABLE extra (id INTEGER PRIMARY KEY)")
        let model = ReflectedModel(schema: try await SchemaReflector.reflect(db))
        _ = try await sql.reload(model, exports: [.init("thing", rw: .readWrite), .init("extra")])

        let after = try await Self.text(base + "/api/openapi.json")
        #expect(after.contains("\"note\""))
        #expect(after.contains("/api/extra"))
        #expect(try await Self.text(base + "/api/").contains("\"extra\""))
    }

    private static func text(_ url: String) async throws -> String {
        guard let u = URL(string: url) else { throw URLError(.badURL) }
        let (data, _) = try await URLSession.shared.data(from: u)
        return String(decoding: data, as: UTF8.self)
    }
}
