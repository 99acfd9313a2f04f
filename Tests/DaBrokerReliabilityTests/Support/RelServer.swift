import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import OrderedCollections
import Testing

@testable import DaBrokerServer

/// A broker serving a small database through a SQL loader and the in-process transport (with
/// a tap), plus a raw client that sends encoded requests.
struct RelServer {
    let server: BrokerServer
    let loader: SQLLoader
    let transport: InProcessServerTransport
    let client: InProcessClientTransport
    let log: TrafficLog
    let db: Database

    /// Starts a server over `db`; `configure` exports tables into the root's `data`.
    static func start(
        db: Database, configuration: BrokerServerConfiguration = .init(secret: "reliability", maxFindLimit: 50),
        extraTransport: (any ServerTransport)? = nil, _ configure: (SQLLoader, StaticObject) throws -> Void
    ) async throws -> RelServer {
        let server = BrokerServer(configuration: configuration)
        let log = TrafficLog()
        let transport = InProcessServerTransport(tap: log.tap)
        server.addTransport(transport)
        if let extraTransport { server.addTransport(extraTransport) }
        let root = try server.addDataRoot()
        let loader = try await SQLLoader.reflecting(database: db, broker: server)
        try configure(loader, root)
        try await server.start()
        let client = transport.makeClient()
        try await client.connect()
        return RelServer(server: server, loader: loader, transport: transport, client: client, log: log, db: db)
    }

    func stop() async {
        await client.close()
        await server.stop()
    }

    /// Sends raw bytes and decodes the reply.
    func send(_ bytes: [UInt8]) async throws -> Message {
        try JSONCodec().decode(try await client.call(bytes))
    }

    /// Sends a request; returns the decoded reply.
    func request(
        _ method: String, target: Ref? = nil, args: [Value] = [], named: OrderedDictionary<String, Value> = [:]
    ) async throws -> Message {
        try await send(JSONCodec().encode(Request(method: method, target: target, args: args, named: named).message))
    }

    /// The reply's data; throws the reply's error.
    func call(
        _ method: String, target: Ref? = nil, args: [Value] = [], named: OrderedDictionary<String, Value> = [:]
    ) async throws -> Value {
        let reply = try await request(method, target: target, args: args, named: named)
        if let e = reply.error { throw e }
        return reply.data
    }

    /// The table info ref of `table`, as a client finds it in `root.data`.
    func table(_ table: String) async throws -> Ref {
        guard case .object(let root) = try await call("root"), case .dict(let data)? = root.fields["data"],
            case .info(let info)? = data[table]
        else { throw BrokerError.internal("table \(table) not in root.data") }
        return info.ref
    }

    /// A signed ref to a row (as if the client had been given it).
    func rowRef(_ table: String, _ key: Value...) -> Ref {
        let k = loader.rowKey(table, key)
        return Ref(key: k, code: server.codes.code(for: k))
    }

    /// A server-side ref to `key`, signed.
    func signed(_ key: ObjectKey) -> Ref { Ref(key: key, code: server.codes.code(for: key)) }

    /// Every row of `table`, all columns (hidden ones included), as one string: compare two to
    /// see whether anything changed.
    func checksum(_ table: String, columns: [String], orderBy: String) async throws -> String {
        let q = db.dialect.quote
        let sql = "SELECT \(columns.map(q).joined(separator: ", ")) FROM \(q(table)) ORDER BY \(q(orderBy))"
        let rows = try await db.execute(sql).rows
        return rows.map { row in (0..<columns.count).map { "\(row[$0])" }.joined(separator: "|") }.joined(
            separator: "\n")
    }
}
