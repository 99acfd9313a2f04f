import DaBrokerCore
import DaBrokerHTTP
import DaBrokerREST
import DaBrokerSQL
import DaBrokerServer
import DaBrokerServerTestSupport
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A gateway serving Chinook over HTTP with the REST face under `/api`, and a small HTTP
/// client. Artist and Genre are read-write, Album and Track read-only, Customer read-only
/// with its email hidden; Employee is not exported.
struct RESTFixture {
    let server: BrokerServer
    let http: HTTPServerTransport
    let loader: SQLLoader
    let db: Database
    let n: ChinookNames
    let base: String

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data

        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
        var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    static func start(
        _ backend: ChinookBackend, rest: RESTConfiguration = .init(), token: String? = nil, maxBodyBytes: Int = 1 << 20
    ) async throws -> RESTFixture {
        let n = backend.names
        let db = try await backend.database(named: "rest_chinook")
        let server = BrokerServer(configuration: .init(secret: "rest-tests"))
        let http = HTTPServerTransport(configuration: .init(port: 0, bearerToken: token, maxBodyBytes: maxBodyBytes))
        server.addTransport(http)
        let root = try server.addDataRoot()
        let sql = try await SQLLoader.reflecting(database: db, broker: server)
        try sql.addModel(n.artist, into: root, rw: .readWrite)
        try sql.addModel(n.genre, into: root, rw: .readWrite)
        try sql.addModel(n.album, into: root)
        try sql.addModel(n.track, into: root)
        try sql.addModel(n.customer, into: root, hide: [n.email])
        http.mount(RESTFace(server: server, loader: sql, configuration: rest))
        try await server.start()
        let port = http.port ?? 0
        return RESTFixture(
            server: server, http: http, loader: sql, db: db, n: n, base: "http://127.0.0.1:\(port)")
    }

    func stop() async {
        await server.stop()
        await db.close()
    }

    /// One HTTP request (a JSON body when `json` is given).
    func send(
        _ method: String, _ path: String, json: String? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        guard let url = URL(string: base + path) else { throw URLError(.badURL) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var fields: [String: String] = [:]
        for (k, v) in http.allHeaderFields {
            if let k = k as? String, let v = v as? String { fields[k] = v }
        }
        return Reply(status: http.statusCode, headers: fields, body: data)
    }
}
