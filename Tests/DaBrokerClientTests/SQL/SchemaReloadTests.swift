import DaBrokerClient
import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import DaBrokerServerTestSupport
import DaBrokerTestSupport
import Foundation
import Testing

/// `SQLLoader.reload`: after DDL, the server serves the new schema (a new column, a new table,
/// a dropped one) and its broadcasts make clients drop what they cached of the old one.
@Suite("Schema reload")
struct SchemaReloadTests {
    @Test(arguments: ChinookBackend.available)
    func reloadServesTheNewSchemaAndTellsClients(_ backend: ChinookBackend) async throws {
        let name = "client_reload_\(getpid())"
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
        for ddl in [
            "CREATE TABLE thing (id INTEGER PRIMARY KEY, name VARCHAR(40))",
            "CREATE TABLE part (id INTEGER PRIMARY KEY, thing_id INTEGER, FOREIGN KEY (thing_id) REFERENCES thing (id))",
        ] {
            _ = try await db.execute(ddl)
        }
        let (server, transport, root) = try SQLClientFixture.serverWithRoot(secret: "reload-tests")
        let sql = try await SQLLoader.reflecting(database: db, broker: server)
        try sql.addModel("thing", into: root, rw: .readWrite)
        try sql.addModel("part", into: root)
        try await server.start()
        let client = BrokerClient(transport: transport.makeClient())
        try await client.connect()

        let before = try await client.model("thing")
        #expect(before.table.info?.fields.keys.contains("note") == false)
        #expect(before.table.info?.backrefs.isEmpty == false)  // part's rows
        _ = try await client.model("part")
        // A read by key before the reload: the loader keeps its SQL and row layout with the model.
        // (A second client reads it: clearing the first one's cache would drop `before`.)
        let seven = try await before.new(["id": 7, "name": "seven"])
        let reader = BrokerClient(transport: transport.makeClient())
        try await reader.connect()
        #expect(try await reader.get(seven.ref).fields.keys.contains("note") == false)

        for ddl in [
            "ALTER TABLE thing ADD COLUMN note VARCHAR(40)", "CREATE TABLE extra (id INTEGER PRIMARY KEY)",
            "DROP TABLE part",
        ] {
            _ = try await db.execute(ddl)
        }
        let model = ReflectedModel(schema: try await SchemaReflector.reflect(db))

        // A bad export throws and changes nothing.
        await #expect(throws: BrokerError.self) {
            try await sql.reload(model, exports: [.init("thing", hide: ["no_such_column"])])
        }
        await #expect(throws: BrokerError.self) { try await sql.reload(model, exports: [.init("part")]) }
        #expect(sql.tables == ["thing", "part"])
        #expect(before.table.isObsolete == false)

        let changed = try await sql.reload(model, exports: [.init("thing", rw: .readWrite), .init("extra")])
        #expect(changed == ["extra", "part", "thing"])
        #expect(sql.tables == ["thing", "extra"])
        #expect(sql.mode(of: "extra") == .readOnly)

        // The client heard of it: what it cached of the old schema is gone.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while !before.table.isObsolete, clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(before.table.isObsolete)
        let after = try await client.model("thing")
        #expect(after.table.info?.fields.keys.contains("note") == true)
        #expect(after.table.info?.backrefs.isEmpty == true)  // part is gone
        // The same read after it: the new column is there (nothing of the old model was kept).
        reader.clearCache()
        let reread = try await reader.get(seven.ref)
        #expect(reread.fields.keys.contains("note"))
        #expect(reread.fields["note"] == .null)
        let row = try await after.new(["id": 1, "name": "one", "note": "new column"])
        #expect(row.fields["note"] == "new column")
        #expect(try await client.model("extra").count() == 0)
        await #expect(throws: BrokerError.self) { try await client.model("part") }

        await reader.close()
        await client.close()
        await server.stop()
    }
}
