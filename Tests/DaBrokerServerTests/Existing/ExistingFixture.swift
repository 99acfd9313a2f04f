import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import OrderedCollections
import Testing

@testable import DaBrokerServer

/// A broker serving the fixture schema of one backend, with a raw client and the server's
/// log captured at the default level.
struct ExistingFixture {
    let backend: ExistingBackend
    let server: BrokerServer
    let loader: SQLLoader
    let client: TestClient
    let transport: RecordingTransport
    let db: Database
    let name: String
    let log: CapturedLines
    /// Hidden values of the fixture: no reply and no log line may hold them.
    static let secrets = ["HASH_SECRET_4242", "VAULT_SECRET_55"]

    /// `extra` statements run after the fixture script; `extraModels` are then exported
    /// read-write with their hidden columns.
    static func make(
        _ backend: ExistingBackend, _ suffix: String, logDatabaseText: Bool = false, extra: [String] = [],
        extraModels: [(table: String, hide: Set<String>)] = []
    ) async throws -> ExistingFixture {
        let (db, name) = try await backend.database(suffix)
        for statement in extra { _ = try await db.execute(statement) }
        let log = CapturedLines()
        var configuration = BrokerServerConfiguration(secret: "existing-tests", logger: log.logger())
        configuration.logDatabaseText = logDatabaseText
        let server = BrokerServer(configuration: configuration)
        let transport = RecordingTransport()
        server.addTransport(transport)
        let root = try server.addDataRoot()
        let loader = try await SQLLoader.reflecting(database: db, broker: server)
        for table in ["category", "item", "serial_no", "vault"] {
            try loader.addModel(table, into: root, rw: .readWrite)
        }
        try loader.addModel("account", into: root, rw: .readWrite, hide: ["pass_hash"])
        try loader.addModel("badge", into: root, rw: .readWrite, hide: ["vault_code"])
        if backend != .sqlite { try loader.addModel("measurement", into: root, rw: .readWrite) }
        try loader.addModel("item_summary", into: root, rw: .readWrite)
        if backend == .postgres {
            try loader.addModel("note", into: root, rw: .readWrite)
            try loader.addModel("audited", into: root, rw: .readWrite)
        }
        for m in extraModels { try loader.addModel(m.table, into: root, rw: .readWrite, hide: m.hide) }
        try await server.start()
        return ExistingFixture(
            backend: backend, server: server, loader: loader, client: TestClient(transport: transport),
            transport: transport,
            db: db, name: name, log: log)
    }

    func close() async {
        await server.stop()
        await db.close()
        try? await TestDatabases.drop(backend.kind, named: name)
    }

    /// The table info ref of `table`, as a client finds it in `root.data`.
    func table(_ table: String) async throws -> Ref {
        let root = try #require(try await client.call("root").object)
        return try #require(root.fields["data"]?.dict?[table]?.info).ref
    }

    /// A signed ref to a row (as if the client had been given it).
    func rowRef(_ table: String, _ key: Value...) -> Ref {
        let k = loader.rowKey(table, key)
        return Ref(key: k, code: server.codes.code(for: k))
    }

    /// Everything a mistake could have changed, read directly from the database.
    func state() async throws -> String {
        var out: [String] = []
        var tables = [("item", "id"), ("category", "id"), ("account", "id"), ("badge", "id"), ("serial_no", "id")]
        if backend != .sqlite { tables.append(("measurement", "id")) }
        for (table, order) in tables {
            let rows = try await db.execute("SELECT * FROM \(db.dialect.quote(table)) ORDER BY \(order)").rows
            out.append("\(table): \(rows.map { "\($0.values)" })")
        }
        return out.joined(separator: "\n")
    }

    /// Every encoded reply the transport carried (for scanning for values).
    var replies: [[UInt8]] { transport.sent }
}
