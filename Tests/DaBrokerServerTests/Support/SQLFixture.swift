import DaBrokerCore
import DaBrokerSQL
import DaBrokerServerTestSupport
import OrderedCollections
import Testing

@testable import DaBrokerServer

/// A broker serving Chinook through a SQL loader, with a recording transport and a raw client.
struct SQLFixture {
    let server: BrokerServer
    let loader: SQLLoader
    let client: TestClient
    let transport: RecordingTransport
    let db: Database
    let n: ChinookNames

    static func make(
        _ backend: ChinookBackend, maxFindLimit: Int = 50, _ configure: (SQLLoader, StaticObject) throws -> Void
    ) async throws -> SQLFixture {
        let db = try await backend.database(named: ChinookTests.databaseName)
        let server = BrokerServer(configuration: .init(secret: "sql-tests", maxFindLimit: maxFindLimit))
        let transport = RecordingTransport()
        server.addTransport(transport)
        let root = try server.addDataRoot()
        let loader = try await SQLLoader.reflecting(database: db, broker: server)
        try configure(loader, root)
        try await server.start()
        return SQLFixture(
            server: server, loader: loader, client: TestClient(transport: transport), transport: transport, db: db,
            n: backend.names)
    }

    func close() async {
        await server.stop()
        await db.close()
    }

    /// The table info ref of `table`, as a client finds it in `root.data`.
    func table(_ table: String) async throws -> Ref {
        let root = try #require(try await client.call("root").object)
        let info = try #require(root.fields["data"]?.dict?[table]?.info)
        return info.ref
    }

    /// A signed ref to a row (as if the client had been given it).
    func rowRef(_ table: String, _ key: Value...) -> Ref {
        let k = loader.rowKey(table, key)
        return Ref(key: k, code: server.codes.code(for: k))
    }

    func search(_ table: Ref, _ filters: OrderedDictionary<String, Value> = [:]) async throws -> [ObjectValue] {
        let list = try #require(try await client.call("_dab_search", target: table, named: filters).list)
        return list.compactMap(\.object)
    }

    func count(_ table: Ref, _ filters: OrderedDictionary<String, Value> = [:]) async throws -> Int64? {
        if case .int(let n) = try await client.call("_dab_count", target: table, named: filters) { return n }
        return nil
    }

    /// The first value of a one-row, one-column query run directly on the database.
    func scalar(_ sql: String, _ params: [Value] = []) async throws -> Value? {
        try await db.execute(sql, params).rows.first?[0]
    }

    func q(_ identifier: String) -> String { db.dialect.quote(identifier) }
}
