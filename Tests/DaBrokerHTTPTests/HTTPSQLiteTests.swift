import DaBrokerClient
import DaBrokerCore
import Testing

/// A SQLite table served read-write by the SQL loader, used over HTTP: curl posting
/// hand-written JSON for every table operation, an SSE reader, and `BrokerClient` models.
@Suite("SQLite table over HTTP")
struct HTTPSQLiteTests {
    let codec = JSONCodec()

    @Test(
        "curl: root, count, find, new, get, update, stale update, delete; SSE sees each change",
        .enabled(if: Curl.isAvailable))
    func curlTableOperations() async throws {
        let broker = try await SQLiteBroker.start()
        let port = broker.port
        let reader = try await SSETestReader(port: port)
        #expect(await reader.waitForEvents(1).first?.name == "ready")
        func post(_ json: String) async throws -> Message {
            try codec.decode(Array(try await Curl.rpc(port: port, json).utf8))
        }

        guard case .object(let root) = try await post(#"{"data":{"_m":"root"}}"#).data,
            case .dict(let data)? = root.fields["data"], case .info(let album)? = data["http_album"],
            let tableCode = album.ref.code
        else { throw BrokerError.internal("no http_album in root.data") }
        #expect(album.info.fields["secret"] == nil)
        let table = #"{"_o":"Ref","k":{"_o":"LIST","_d":["sql","http_album"]},"c":"\#(tableCode)"}"#

        #expect(try await post(#"{"data":{"_m":"_dab_count","_o_":\#(table)}}"#).data == 3)
        let blues = try await post(#"{"data":{"_m":"_dab_search","_o_":\#(table),"title":"Blue"}}"#)
        guard case .list(let found) = blues.data else { throw BrokerError.internal("no list: \(blues)") }
        #expect(found.count == 2)
        let hidden = try await post(#"{"data":{"_m":"_dab_search","_o_":\#(table),"secret":"s1"}}"#)
        #expect(hidden.error?.kind == .badRequest)

        let createdReply = try await post(#"{"data":{"_m":"new","_o_":\#(table),"title":"Green"}}"#)
        guard case .object(let created) = createdReply.data else {
            throw BrokerError.internal("new gave \(createdReply)")
        }
        #expect(created.fields["title"] == "Green")
        #expect(created.fields["secret"] == nil)
        let id = try #require(created.ref.key.parts.last)
        guard case .int(let newID) = id else { throw BrokerError.internal("row id \(id)") }
        let rowCode = try #require(created.ref.code)
        let row = #"{"_o":"Ref","k":{"_o":"LIST","_d":["sql","http_album",\#(newID)]},"c":"\#(rowCode)"}"#
        let get = #"{"data":{"_m":"get","_a":{"_o":"LIST","_d":[\#(row)]}}}"#
        guard case .object(let fetched) = try await post(get).data else { throw BrokerError.internal("get") }
        #expect(fetched.fields["title"] == "Green")

        let update =
            #"{"data":{"_m":"update","_a":{"_o":"LIST","_d":[\#(row)]},"k":{"title":{"_o":"LIST","_d":["Green","Teal"]}}}}"#
        let updated = try await post(update)
        #expect(updated.error == nil)
        #expect(try await post(update).error?.kind == .staleData)
        let stored = try await broker.db.execute("SELECT title FROM http_album WHERE id = ?", [.int(newID)])
        #expect(stored.rows.first?[0] == "Teal")

        #expect(try await post(#"{"data":{"_m":"delete","_o_":\#(row)}}"#).error == nil)
        #expect(try await post(get).error?.kind == .noData)

        let events = await reader.waitForEvents(4)
        #expect(events.map(\.name) == ["ready", "message", "message", "message"])
        let texts = events.dropFirst().map { String(decoding: $0.data, as: UTF8.self) }
        #expect(texts.allSatisfy { $0.contains("invalid_key") && !$0.contains("s1") && !$0.contains(#""c":"#) })
        #expect(texts.dropFirst().first?.contains("Teal") == true)
        await reader.close()
        await broker.stop()
    }

    @Test("BrokerClient models over HTTP on SQLite: another client's update invalidates the cache")
    func clientsOnSQLite() async throws {
        let broker = try await SQLiteBroker.start()
        let reader = try await SSETestReader(port: broker.port)
        await reader.waitForEvents(1)
        let a = try await broker.client()
        let b = try await broker.client()
        let albumsA = try await a.model("http_album")
        let albumsB = try await b.model("http_album")
        let redB = try await albumsB.get(["id": 1])
        #expect(try redB.title.value == "Red")

        let redA = try await albumsA.get(["id": 1])
        try await albumsA.update(redA, ["title": "Crimson"])
        let events = await reader.waitForEvents(2)
        #expect(events.last.map { String(decoding: $0.data, as: UTF8.self).contains("Crimson") } == true)
        try await b.synchronize()
        #expect(redB.isObsolete)
        #expect(try await albumsB.get(["id": 1]).title.value == "Crimson")

        let created = try await albumsB.new(["title": "Violet"])
        try await a.synchronize()
        #expect(try await albumsA.count() == 4)
        try await albumsA.delete(try await albumsA.get(["title": "Violet"]))
        try await b.synchronize()
        #expect(created.isObsolete)
        #expect(try await albumsB.count() == 3)
        await a.close()
        await b.close()
        await reader.close()
        await broker.stop()
    }
}
