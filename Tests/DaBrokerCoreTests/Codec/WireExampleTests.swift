import DaBrokerCore
import OrderedCollections
import Testing

@Suite("Codec: captured wire examples of the original DaBroker")
struct WireExampleTests {
    let codec = JSONCodec()

    @Test("the examples file is there and holds requests, replies and a broadcast")
    func examplesPresent() throws {
        let all = try WireExamples.load()
        #expect(all.count >= 15)
        #expect(all.contains { $0.role == "broadcast" })
        #expect(all.allSatisfy { $0.properties["content_type"] == "application/x-dab-json" })
    }

    @Test("every captured message decodes and re-encodes to semantically equal JSON")
    func roundTrip() throws {
        for captured in try WireExamples.load() {
            let message = try codec.decode(captured.body)
            let again = codec.encode(message)
            let original = try JSONTree(parsing: captured.body)
            let reencoded = try JSONTree(parsing: again)
            #expect(original == reencoded, "\(captured.step) \(captured.role)")
            #expect(try codec.decode(again) == message, "\(captured.step) \(captured.role)")
        }
    }

    @Test("requests decode to the Request model")
    func requests() throws {
        let requests = try WireExamples.load().filter { $0.role == "request" }
        let decoded = try requests.map { try Request(from: codec.decode($0.body).data) }
        #expect(decoded.map(\.method) == ["root", "get", "get", "_dab_search", "_dab_search", "get", "touch", "echo"])

        let search = decoded[3]
        #expect(search.target?.key == ObjectKey(["sql", "Person"]))
        #expect(search.target?.code == "tQT9CqDw")
        #expect(search.named == ["id": 1, "_limit": 2])
        #expect(search.args.isEmpty && !search.classLevel)
        #expect(decoded[4].named == ["name": "Person 2"])

        let get = decoded[1]
        #expect(get.target == nil)
        #expect(get.args == [.ref(Ref(key: ObjectKey(["sql", "_meta", "Person"]), code: "67UDbbE0"))])
        #expect(decoded[6].args == [1, "Fred"])
        #expect(decoded[7].args == ["hi"])
        // Our own encoding of the request is equivalent to the original client's.
        for (captured, request) in zip(requests, decoded) {
            #expect(try JSONTree(parsing: codec.encode(request.message)) == JSONTree(parsing: captured.body))
        }
    }

    @Test("the root reply decodes to an Obj holding an Info")
    func rootReply() throws {
        let reply = try #require(try WireExamples.load().first { $0.role == "reply" })
        let message = try codec.decode(reply.body)
        #expect(message.msgid == 0)
        guard case .object(let root) = message.data else {
            Issue.record("root reply is not an Obj: \(message.data)")
            return
        }
        #expect(root.ref == Ref(key: ObjectKey(["_s", 2, 99]), code: "BeiQfItI"))
        #expect(root.fields["hello"] == "Hello!")
        #expect(root.meta == Ref(key: ObjectKey(["_s", 1]), code: "ljVhPewE"))
        guard case .dict(let data)? = root.fields["data"], case .info(let person)? = data["Person"] else {
            Issue.record("root.data.Person is not an Info")
            return
        }
        #expect(person.ref.key == ObjectKey(["sql", "Person"]))
        #expect(person.info.name == "Person")
        #expect(person.info.cached == true)
        #expect(Array(person.info.fields.keys) == ["id", "name"])
        #expect(Array(person.info.refs.keys) == ["_meta"])
        #expect(Array(person.info.calls.keys) == ["update", "delete"])
        #expect(person.meta == Ref(key: ObjectKey(["sql", "_meta", "Person"]), code: "67UDbbE0"))
    }

    @Test("the meta info reply has _ROOT as its meta and flagged calls")
    func metaReply() throws {
        let replies = try WireExamples.load().filter { $0.role == "reply" }
        guard case .info(let meta) = try codec.decode(replies[1].body).data else {
            Issue.record("second reply is not an Info")
            return
        }
        #expect(meta.meta.key == .metaRoot)
        #expect(meta.info.name == "meta_Person")
        #expect(meta.info.cached == .null)
        #expect(meta.info.calls["_dab_search"] == Callable("_dab_search", cached: true))
        #expect(meta.info.calls["_dab_count"] == Callable("_dab_count", cached: true))
        #expect(meta.info.calls["new"] == Callable("new", meta: true))
        #expect(meta.info.calls["delete"] == Callable("delete", meta: true))
    }

    @Test("search replies are LISTs of Objs; plain replies carry scalars")
    func searchReply() throws {
        let replies = try WireExamples.load().filter { $0.role == "reply" }
        guard case .list(let rows) = try codec.decode(replies[3].body).data, case .object(let p) = rows.first else {
            Issue.record("search reply is not a LIST of Obj")
            return
        }
        #expect(rows.count == 1)
        #expect(p.ref.key == ObjectKey(["sql", "Person", 1]))
        #expect(p.fields == ["id": 1, "name": "Person 1"])
        #expect(p.meta?.key == ObjectKey(["sql", "Person"]))
        let touch = try codec.decode(replies[6].body)
        #expect(touch.data == true && touch.msgid == 1)
        #expect(try codec.decode(replies[7].body).data == "hi")
    }

    @Test("the invalid_key broadcast decodes to the broadcast model")
    func broadcast() throws {
        let captured = try #require(try WireExamples.load().first { $0.role == "broadcast" })
        #expect(captured.exchange == "dab_alert" && captured.routingKey == "dab_info")
        let message = try codec.decode(captured.body)
        #expect(message.msgid == 1)
        #expect(message.extras == ["include": .null])
        let b = try InvalidKeyBroadcast(from: message.data)
        #expect(b.key == Ref(key: ObjectKey(["sql", "Person", 1]), code: "nVewAmv7"))
        #expect(b.meta.key == ObjectKey(["sql", "Person"]))
        #expect(b.changes == ["name": .update(old: "Person 1", new: "Fred")])
        // Ours carries no access codes and is otherwise the same message.
        let ours = b.message(msgid: 1)
        #expect(ours.extras == ["include": .null])
        let encoded = String(decoding: codec.encode(ours), as: UTF8.self)
        #expect(!encoded.contains("nVewAmv7") && !encoded.contains("tQT9CqDw"))
        var stripped = message
        stripped.data = b.value
        #expect(try codec.decode(codec.encode(ours)) == stripped)
    }
}
