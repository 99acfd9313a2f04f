import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

@testable import DaBrokerServer

/// Issue 14, point 1: a foreign key onto a hidden column of a searchable table cannot be
/// written with a plain value either (the client could probe the hidden values by it).
@Suite("SQL loader: no plain value for a foreign key onto a hidden column")
struct ForeignKeyHiddenTargetTests {
    @Test func plainValueOntoHiddenReferencedColumnIsRefused() async throws {
        let name = "fkhidden_\(UUID().uuidString.prefix(8))"
        let url = try await TestDatabases.create(.sqlite, named: name)
        defer { Task { try? await TestDatabases.drop(.sqlite, named: name) } }
        let db = try await Database.open(url: url)
        for sql in [
            "CREATE TABLE owner (id INTEGER PRIMARY KEY, name TEXT, ssn TEXT UNIQUE)",
            "CREATE TABLE doc (id INTEGER PRIMARY KEY, title TEXT, owner_ssn TEXT REFERENCES owner(ssn))",
            "INSERT INTO owner VALUES (1, 'Ada', 'SSN-SECRET-1')",
        ] {
            _ = try await db.execute(sql)
        }
        let server = BrokerServer(configuration: .init(secret: "fk-hidden-tests"))
        let transport = RecordingTransport()
        server.addTransport(transport)
        let loader = try await SQLLoader.reflecting(database: db, broker: server)
        let root = try server.addDataRoot()
        try loader.addModel("owner", into: root, rw: .readOnly, hide: ["ssn"])
        try loader.addModel("doc", into: root, rw: .readWrite)
        try await server.start()
        let client = TestClient(transport: transport)
        let docs = try #require(
            try await client.call("root").object?.fields["data"]?.dict?["doc"]?.info?.ref)

        let refused = try await client.failure(
            "new", target: docs, named: ["id": 1, "title": "probe", "owner_ssn": "SSN-SECRET-1"])
        #expect(refused?.kind == .accessDenied)
        #expect(refused?.message.contains("owner_ssn") == true)
        #expect(refused?.message.contains("SSN-SECRET") == false)
        #expect(try await db.execute("SELECT COUNT(*) FROM doc").rows.first?[0] == .int(0))
        // Other columns, and NULL in the foreign key, are fine.
        let created = try await client.call("new", target: docs, named: ["id": 2, "title": "ok", "owner_ssn": .null])
        #expect(created.object?.fields["title"] == "ok")
        await server.stop()
        await db.close()
    }
}
