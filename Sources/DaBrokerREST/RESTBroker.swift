import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import OrderedCollections

/// The REST face's one way into the server: every call is a request handed to
/// ``BrokerServer/handle(trusted:)``, which serves it as `POST /rpc` would, so the same access
/// modes, hidden columns, value checks, limits and request limiter apply.
///
/// Without the wire encoding and without access codes: this face makes every ref it sends
/// from a table it exports and a key in a URL, and shows its clients URLs, never codes.
struct RESTBroker: Sendable {
    let server: BrokerServer
    let loader: SQLLoader

    /// Runs one request; the reply's data, or the server's error.
    func call(_ request: Request) async throws(RESTProblem) -> Value {
        switch await server.handle(trusted: request.value) {
        case .success(let data): return data
        case .failure(let error): throw RESTProblem(error)
        }
    }

    /// The table's info ref.
    func tableRef(_ table: String) -> Ref { Ref(key: loader.tableKey(table)) }

    /// `_dab_search` with equality filters and conditions.
    func search(_ table: String, _ named: OrderedDictionary<String, Value>) async throws(RESTProblem) -> [ObjectValue] {
        let data = try await call(Request(method: Method.search, target: tableRef(table), named: named))
        guard case .list(let items) = data else { return [] }
        return items.compactMap {
            if case .object(let o) = $0 { return o }
            return nil
        }
    }

    /// `_dab_page`: a page of rows and the next page's cursor (nil on the last page).
    func page(_ table: String, _ named: OrderedDictionary<String, Value>) async throws(RESTProblem)
        -> ([ObjectValue], String?)
    {
        let data = try await call(Request(method: Method.page, target: tableRef(table), named: named))
        guard case .dict(let reply) = data, case .list(let items)? = reply["rows"] else {
            throw RESTProblem(500, "the server's page could not be read")
        }
        let rows: [ObjectValue] = items.compactMap {
            if case .object(let o) = $0 { return o }
            return nil
        }
        if case .string(let next)? = reply["next"] { return (rows, next) }
        return (rows, nil)
    }

    func count(_ table: String, _ named: OrderedDictionary<String, Value>) async throws(RESTProblem) -> Value {
        try await call(Request(method: Method.count, target: tableRef(table), named: named))
    }
}
