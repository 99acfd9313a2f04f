import DaBrokerCore
import DaBrokerHTTP
import DaBrokerServer
import DaBrokerServerTestSupport
import Foundation
import Testing

/// A real `BrokerServer` (static objects) behind the HTTP transport, called the way any
/// HTTP client would: curl and Foundation's URL loading posting JSON, an SSE reader.
@Suite("BrokerServer over HTTP")
struct HTTPBrokerTests {
    let codec = JSONCodec()

    func call(_ port: Int, _ request: Request) async throws -> Message {
        let body = String(decoding: codec.encode(request.message), as: UTF8.self)
        let reply = try await RawHTTP.post(port: port, body)
        #expect(reply.status == 200)
        return try codec.decode(reply.body)
    }

    func object(_ message: Message) throws -> ObjectValue {
        guard case .object(let o) = message.data else { throw BrokerError.internal("not an object: \(message)") }
        return o
    }

    @Test("curl: root, echo, ping and a malformed body", .enabled(if: Curl.isAvailable))
    func curlCalls() async throws {
        let broker = try await StaticBroker()
        let rootText = try await Curl.rpc(port: broker.port, #"{"data":{"_m":"root"}}"#)
        let root = try object(try codec.decode(Array(rootText.utf8)))
        #expect(root.ref.key == ObjectKey(["static", "root"]))
        #expect(root.ref.code?.count == 12)
        #expect(root.fields["version"] == "1.0")
        #expect(rootText.contains(#""sid":""#))

        let echo = try await Curl.rpc(
            port: broker.port, #"{"data":{"_m":"echo","_a":{"_o":"LIST","_d":["hi"]}}}"#,
            contentType: "application/x-dab-json")
        #expect(try codec.decode(Array(echo.utf8)).data == "hi")
        #expect(
            try codec.decode(Array(try await Curl.rpc(port: broker.port, #"{"data":{"_m":"ping"}}"#).utf8)).error == nil
        )

        let notRequest = try codec.decode(Array(try await Curl.rpc(port: broker.port, #"{"foo":1}"#).utf8))
        #expect(notRequest.error?.kind == .badRequest)
        let malformed = try await Curl.rpc(port: broker.port, #"{"data":{"_m":"root"}"#)
        #expect(malformed.contains(#""_t":"BadRequest""#))
        #expect(
            try await Curl.status(["-X", "POST", "http://127.0.0.1:\(broker.port)/rpc", "--data-binary", "{}"]) == 415)
        #expect(try await Curl.status(["http://127.0.0.1:\(broker.port)/healthz"]) == 200)
        await broker.stop()
    }

    @Test("get, search, count, access codes and read-only update by posting JSON")
    func objectCalls() async throws {
        let broker = try await StaticBroker()
        let port = broker.port
        let root = try object(try await call(port, Request(method: "root")))
        let statusRef = try #require(root.refs["status"] ?? nil)
        let status = try object(try await call(port, Request(method: "get", args: [.ref(statusRef)])))
        #expect(status.fields["health"] == "OK")

        let numsRef = try #require(root.refs["nums"] ?? nil)
        let found = try await call(port, Request(method: "_dab_search", target: numsRef, named: ["_limit": 3]))
        guard case .list(let hits) = found.data else { throw BrokerError.internal("no list: \(found)") }
        #expect(hits.count == 3)
        let seven = try await call(port, Request(method: "_dab_search", target: numsRef, named: ["n": 7]))
        guard case .list(let sevens) = seven.data, case .object(let hit)? = sevens.first else {
            throw BrokerError.internal("no hit: \(seven)")
        }
        #expect(hit.fields["square"] == 49)
        #expect(try await call(port, Request(method: "_dab_count", target: numsRef)).data == 20)

        let forged = Ref(key: statusRef.key, code: "AAAAAAAAAAAA")
        #expect(try await call(port, Request(method: "get", args: [.ref(forged)])).error?.kind == .accessDenied)
        let update = try await call(
            port, Request(method: "update", args: [.ref(statusRef)], named: ["k": .dict(["health": ["OK", "bad"]])]))
        #expect(update.error?.kind == .readOnly)
        await broker.stop()
    }

    @Test("an SSE reader receives invalid_key with id = msgid; replies carry that msgid")
    func invalidKeyOverSSE() async throws {
        let broker = try await StaticBroker()
        let reader = try await SSETestReader(port: broker.port)
        #expect(await reader.waitForEvents(1).first?.name == "ready")
        try await broker.server.objUpdate(broker.status, ["health": "poor"])
        let events = await reader.waitForEvents(2)
        let event = try #require(events.dropFirst().first)
        #expect(event.id == "1")
        let message = try codec.decode(event.data)
        #expect(message.msgid == 1)
        guard case .dict(let data) = message.data else { throw BrokerError.internal("not a dict") }
        #expect(data["_m"] == "invalid_key")
        #expect(data["health"] == ["OK", "poor"])
        let root = try object(try await call(broker.port, Request(method: "root")))
        let statusRef = try #require(root.refs["status"] ?? nil)
        let reply = try await call(broker.port, Request(method: "get", args: [.ref(statusRef)]))
        #expect(reply.msgid == 1)
        #expect(try object(reply).fields["health"] == "poor")
        await reader.close()
        await broker.stop()
    }

    @Test("with a token: curl without it gets 401 AccessDenied, with it the reply")
    func token() async throws {
        let broker = try await StaticBroker(token: "tok")
        let denied = try await RawHTTP.post(port: broker.port, #"{"data":{"_m":"root"}}"#)
        #expect(denied.status == 401)
        #expect(try codec.decode(denied.body).error?.kind == .accessDenied)
        let allowed = try await RawHTTP.post(port: broker.port, #"{"data":{"_m":"root"}}"#, token: "tok")
        #expect(allowed.status == 200)
        #expect(try codec.decode(allowed.body).error == nil)
        await broker.stop()
    }

    @Test(
        "curl: count, find, new, get, update (and a stale one), delete on a read-write table; SSE sees each change",
        .enabled(if: Curl.isAvailable))
    func curlTableOperations() async throws {
        let broker = try await StaticBroker()
        let port = broker.port
        let reader = try await SSETestReader(port: port)
        #expect(await reader.waitForEvents(1).first?.name == "ready")
        func post(_ json: String) async throws -> Message {
            try codec.decode(Array(try await Curl.rpc(port: port, json).utf8))
        }

        let root = try object(try await post(#"{"data":{"_m":"root"}}"#))
        guard case .dict(let data)? = root.fields["data"], case .ref(let album)? = data["album"],
            let tableCode = album.code
        else { throw BrokerError.internal("no album table in root.data: \(root)") }
        let table = #"{"_o":"Ref","k":{"_o":"LIST","_d":["mem","album"]},"c":"\#(tableCode)"}"#

        #expect(try await post(#"{"data":{"_m":"_dab_count","_o_":\#(table)}}"#).data == 3)
        let blues = try await post(#"{"data":{"_m":"_dab_search","_o_":\#(table),"title":"Blue","_limit":10}}"#)
        guard case .list(let found) = blues.data else { throw BrokerError.internal("no list: \(blues)") }
        #expect(found.count == 2)

        let created = try object(try await post(#"{"data":{"_m":"new","_o_":\#(table),"title":"Green"}}"#))
        #expect(created.fields["id"] == 4)
        let rowCode = try #require(created.ref.code)
        let row = #"{"_o":"Ref","k":{"_o":"LIST","_d":["mem","album",4]},"c":"\#(rowCode)"}"#
        let get = #"{"data":{"_m":"get","_a":{"_o":"LIST","_d":[\#(row)]}}}"#
        #expect(try object(try await post(get)).fields["title"] == "Green")

        let update =
            #"{"data":{"_m":"update","_a":{"_o":"LIST","_d":[\#(row)]},"k":{"title":{"_o":"LIST","_d":["Green","Teal"]}}}}"#
        let updated = try await post(update)
        #expect(try object(updated).fields["title"] == "Teal")
        #expect(updated.msgid == 2)
        #expect(try await post(update).error?.kind == .staleData)

        #expect(try await post(#"{"data":{"_m":"delete","_o_":\#(row)}}"#).error == nil)
        #expect(try await post(get).error?.kind == .noData)
        let forged = #"{"data":{"_m":"delete","_o_":{"_o":"Ref","k":{"_o":"LIST","_d":["mem","album",1]},"c":"x"}}}"#
        #expect(try await post(forged).error?.kind == .accessDenied)

        let events = await reader.waitForEvents(4)
        #expect(events.map(\.id) == ["0", "1", "2", "3"])
        let texts = events.dropFirst().map { String(decoding: $0.data, as: UTF8.self) }
        #expect(texts.allSatisfy { $0.contains("invalid_key") && !$0.contains(#""c":"#) })
        #expect(texts.first?.contains(#""_key""#) == false)
        #expect(texts.dropFirst().first?.contains(#""Green","Teal""#) == true)
        #expect(texts.last?.contains(#""_key""#) == true)
        await reader.close()
        await broker.stop()
    }

    @Test("one server, two HTTP transports: a write through one reaches the event stream of the other")
    func twoTransports() async throws {
        let second = HTTPServerTransport(configuration: .init(port: 0))
        let broker = try await StaticBroker(extra: second)
        let secondPort = try #require(second.port)
        let reader = try await SSETestReader(port: secondPort)
        await reader.waitForEvents(1)
        let root = try object(try await call(broker.port, Request(method: "root")))
        guard case .dict(let data)? = root.fields["data"], case .ref(let album)? = data["album"] else {
            throw BrokerError.internal("no album table")
        }
        let created = try await call(broker.port, Request(method: "new", target: album, named: ["title": "Via A"]))
        #expect(created.error == nil)
        let events = await reader.waitForEvents(2)
        #expect(events.last.map { String(decoding: $0.data, as: UTF8.self).contains("Via A") } == true)
        let viaB = try await call(secondPort, Request(method: "_dab_count", target: album))
        #expect(viaB.data == 4)
        await reader.close()
        await broker.stop()
    }
}
