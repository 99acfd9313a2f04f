import DaBrokerCore
import DaBrokerHTTP
import DaBrokerSQL
import DaBrokerServer
import Foundation
import OrderedCollections
import Synchronization

/// The plain JSON REST face of a SQL gateway, mounted on an ``HTTPServerTransport`` under a
/// prefix (`/api`): the exported tables as resources, rows as plain JSON objects with ETags,
/// errors as RFC 9457 problems, and an OpenAPI 3.1 document. See `docs/rest.md`.
///
/// ```swift
/// let rest = RESTFace(server: server, loader: loader)
/// http.mount(rest)          // before the server starts
/// ```
///
/// Every call goes through ``BrokerServer/handle(_:)`` (as `POST /rpc` does), so the access
/// modes, hidden columns, value checks and limits of the wire protocol apply unchanged.
public final class RESTFace: HTTPRoute {
    public let configuration: RESTConfiguration
    let broker: RESTBroker
    /// The OpenAPI document, kept with the tables it was made from (made again when they change).
    let document = Mutex<(tables: [SQLExportedTable], bytes: [UInt8])?>(nil)

    /// A face on `loader`'s tables, calling `server`. It also makes the server's `invalid_key`
    /// broadcasts name their row's URL (the envelope's `url`, see ``BrokerServer/linkBroadcasts(_:)``).
    public init(server: BrokerServer, loader: SQLLoader, configuration: RESTConfiguration = .init()) {
        self.configuration = configuration
        self.broker = RESTBroker(server: server, loader: loader)
        let rows = RESTRows(prefix: configuration.prefix)
        server.linkBroadcasts { [weak loader] key, meta, changes in
            guard let loader else { return nil }
            return rows.broadcastURL(key: key, meta: meta, changes: changes, loader: loader)
        }
    }

    public var prefix: String { configuration.prefix }

    public func respond(to request: HTTPRouteRequest) async -> HTTPRouteResponse {
        let response: RESTResponse
        do {
            response = try await route(request)
        } catch {
            response = error.response
        }
        return HTTPRouteResponse(status: response.status, headers: response.headers, body: response.body)
    }

    private func route(_ request: HTTPRouteRequest) async throws(RESTProblem) -> RESTResponse {
        let rest = request.path.dropFirst(prefix.count)
        let segments = rest.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            RESTRows.decodeSegment($0)
        }
        let method = request.method
        guard let first = segments.first, !first.isEmpty else {
            guard segments.count <= 1 else { throw RESTProblem(404, "no resource at this path") }
            try Self.allow(method, ["GET"])
            return RESTResponse(status: 200, json: index())
        }
        if first == "openapi.json", segments.count == 1 {
            try Self.allow(method, ["GET"])
            return RESTResponse(status: 200, json: openAPI())
        }
        guard let table = broker.loader.exportedTable(named: first) else {
            throw RESTProblem(404, "no table '\(BrokerError.excerpt(first))' is exported")
        }
        let key = Array(segments.dropFirst())
        if key.isEmpty || (key.count == 1 && key[0].isEmpty) {
            switch method {
            case "GET": return try await list(table, query: request.query)
            case "POST":
                try writable(table)
                return try await create(table, body: try Self.json(request))
            default: throw Self.notAllowed(table.mode.canWrite ? ["GET", "POST"] : ["GET"])
            }
        }
        guard table.hasPrimaryKey, key.count == table.keyColumns.count else {
            throw RESTProblem(
                404, "no row of '\(table.name)' at this path (its key has \(table.keyColumns.count) part(s))")
        }
        let allowed = table.mode.canWrite ? ["GET", "PATCH", "DELETE"] : ["GET"]
        switch method {
        case "GET":
            let row = try await fetch(table, key)
            return rowResponse(table, row, status: 200)
        case "PATCH":
            try writable(table)
            return try await patch(table, key, body: try Self.json(request), ifMatch: request.header("If-Match"))
        case "DELETE":
            try writable(table)
            return try await delete(table, key, ifMatch: request.header("If-Match"))
        default: throw Self.notAllowed(allowed)
        }
    }

    /// 405 with `Allow: GET` unless the table is read-write.
    private func writable(_ table: SQLExportedTable) throws(RESTProblem) {
        guard table.mode.canWrite else {
            var p = RESTProblem(405, "table '\(table.name)' is read-only", kind: "ReadOnly")
            p.headers.append(("Allow", "GET"))
            throw p
        }
    }

    private static func allow(_ method: String, _ allowed: [String]) throws(RESTProblem) {
        guard allowed.contains(method) else { throw notAllowed(allowed) }
    }

    private static func notAllowed(_ allowed: [String]) -> RESTProblem {
        var p = RESTProblem(405, "method not allowed here; use \(allowed.joined(separator: ", "))")
        p.headers.append(("Allow", allowed.joined(separator: ", ")))
        return p
    }

    /// The request body as a JSON value; 415 unless it is sent as JSON, 400 unless it is JSON.
    private static func json(_ request: HTTPRouteRequest) throws(RESTProblem) -> Value {
        let type = (request.header("Content-Type") ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard type == "application/json" else {
            throw RESTProblem(415, "send the body as application/json")
        }
        do {
            return try JSONCodec().decode(value: request.body)
        } catch {
            throw RESTProblem(400, "the body is not JSON: \(error.message)")
        }
    }

    /// `GET {prefix}/`: the exported tables, each with its URL, mode, fields, key, refs and backrefs.
    private func index() -> [UInt8] {
        let tables: [Value] = broker.loader.exportedTables.map { t in
            var fields: [Value] = []
            for c in t.fields {
                var field: OrderedDictionary<String, Value> = [
                    "name": .string(c.name), "type": .string(c.declaredType), "nullable": .bool(c.isNullable),
                    "writable": .bool(t.mode.canWrite && c.isWritable),
                ]
                if let values = c.enumValues { field["enum"] = .list(values.map { .string($0) }) }
                fields.append(.dict(field))
            }
            return .dict([
                "name": .string(t.name), "url": .string(prefix + "/" + RESTRows.segment(t.name)),
                "mode": .string(t.mode.rawValue), "key": .list(t.keyColumns.map { .string($0) }),
                "fields": .list(fields),
                "refs": .dict(.init(uniqueKeysWithValues: t.refs.map { ($0.name, .string($0.target)) })),
                "backrefs": .dict(.init(uniqueKeysWithValues: t.backrefs.map { ($0.name, .string($0.source)) })),
                "hidden": .int(Int64(t.hiddenCount)), "notices": .list(t.notices.map { .string($0) }),
            ])
        }
        return RESTJSON.object([("tables", .list(tables)), ("openapi", .string(prefix + "/openapi.json"))])
    }
}

extension RESTFace {
    /// `GET {prefix}/openapi.json`, made again whenever the exported tables changed (a
    /// schema reload).
    func openAPI() -> [UInt8] {
        let tables = broker.loader.exportedTables
        if let cached = document.withLock({ $0 }), cached.tables == tables { return cached.bytes }
        let bytes = RESTOpenAPI.json(tables, prefix: prefix)
        document.withLock { $0 = (tables, bytes) }
        return bytes
    }
}
