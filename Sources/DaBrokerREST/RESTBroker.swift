import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import OrderedCollections

/// The REST face's one way into the server: every call is a request message handed to
/// ``BrokerServer/handle(_:)``, exactly as `POST /rpc` does, so the same access modes,
/// hidden columns, value checks, limits and request limiter apply.
struct RESTBroker: Sendable {
    let server: BrokerServer
    let loader: SQLLoader

    /// Runs one request; the reply's data, or the server's error.
    func call(_ request: Request) async throws(RESTProblem) -> Value {
        let reply = await server.handle(JSONCodec().encode(Message(data: request.value)))
        let message: Message
        do {
            message = try JSONCodec(limits: Self.replyLimits).decode(reply)
        } catch {
            throw RESTProblem(500, "the server's reply could not be read")
        }
        if let error = message.error { throw RESTProblem(error) }
        return message.data
    }

    /// The table's info ref, signed.
    func tableRef(_ table: String) -> Ref { server.codes.sign(Ref(key: loader.tableKey(table))) }

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

    /// Replies may be as large as a page of rows; the server already bounded them.
    static let replyLimits = CodecLimits(
        maxMessageBytes: 1 << 30, maxDepth: 256, maxStringBytes: 1 << 30, maxElements: 1 << 24)
}
