import DaBrokerCore
import DaBrokerServerTestSupport
import DaBrokerTestSupport
import OrderedCollections
import Testing

@testable import DaBrokerServer

@Suite("The manual's example, end to end through the codec")
struct ManualExampleTests {
    @Test func rootStatusUpdateAndReplace() async throws {
        // The manual's setup (infos and objects under keys the application chooses), shared
        // with the client and HTTP tests.
        let transport = RecordingTransport()
        let manual = try await ManualBroker.start(transport)
        let (server, root, status) = (manual.server, manual.root, manual.status)
        let client = TestClient(transport: transport)

        // root whole, with codes on itself, its refs and its meta.
        let rootObj = try #require(try await client.call("root").object)
        #expect(rootObj.ref.key == ObjectKey(["static", "root"]))
        #expect(rootObj.ref.code?.count == 12)
        #expect(rootObj.fields["version_string"] == "0.12.3")
        #expect(rootObj.fields["version_tuple"] == [0, 12, 3])
        #expect(rootObj.meta?.key == ObjectKey(["static", "root", "meta"]))
        let statusRef = try #require(rootObj.refs["status"] ?? nil)
        #expect(statusRef.key == ObjectKey(["static", "status", 0]))

        // root.status.health
        let statusObj = try #require(try await client.get(statusRef).object)
        #expect(statusObj.fields["health"] == "OK")
        #expect(statusObj.fields["servers"] == ["joe", "curly", "moe"])
        #expect(statusObj.fields["load"]?.dict?["moe"] == 2.5)

        // The root's info lists login; login returns the real root as a ref (no include).
        let rootMeta = try #require(rootObj.meta)
        let rootInfo = try #require(try await client.get(rootMeta).info)
        #expect(rootInfo.info.calls["login"] != nil)
        #expect(rootInfo.meta.key == .metaRoot)
        let real = try #require(try await client.call("login", target: rootObj.ref, args: ["jane", "hash"]).refValue)
        #expect(try await client.get(real).object?.fields["user"] == "jane")
        #expect(try await client.failure("login", target: rootObj.ref, args: ["joe", "x"])?.kind == .accessDenied)
        #expect(try await client.failure("logout", target: rootObj.ref)?.kind == .unknownCommand)

        // obj_update(status, health="poor") -> invalid_key, then the client reads "poor".
        try await server.objUpdate(status, ["health": "poor"])
        let b1 = try #require(try client.broadcasts().last)
        #expect(b1.msgid == 1)
        let d1 = try #require(b1.data.dict)
        #expect(d1["_m"] == "invalid_key")
        #expect(d1["_key"] == .ref(Ref(key: ObjectKey(["static", "status", 0]))))
        #expect(d1["_meta"] == .ref(Ref(key: ObjectKey(["static", "status", "meta"]))))
        #expect(d1["health"] == ["OK", "poor"])
        #expect(d1["servers"] == nil)
        let reply = try await client.request("get", args: [.ref(statusRef)])
        #expect(reply.msgid == 1)
        #expect(reply.data.object?.fields["health"] == "poor")

        // Replace the status object: new one under a new sequence key, point root at it,
        // delete the old one, and refresh root through its key.
        let newStatus = try await server.objNew(StaticObject(class: manual.statusClass, values: ["health": "poor"]))
        try server.addStatic(newStatus, "status", 1)
        try await server.objUpdate(root, ["status": .object(newStatus)])
        try await server.objDelete(status)
        server.delStatic(status, "status", 0)

        let bs = try client.broadcasts()
        #expect(bs.map(\.msgid) == [1, 2, 3, 4])
        // The transport gets each broadcast's msgid beside its bytes, and the envelope its sid.
        #expect(transport.broadcastIDs == [1, 2, 3, 4])
        #expect(bs.allSatisfy { $0.sid == server.instanceID && $0.extras["sid"] == nil })
        let created = try #require(bs[1].data.dict)
        #expect(created["_key"] == nil)
        #expect(created["_meta"] == .ref(Ref(key: ObjectKey(["static", "status", "meta"]))))
        #expect(created["health"] == ["poor"])
        let rootChange = try #require(bs[2].data.dict)
        #expect(
            rootChange["status"]
                == [
                    .ref(Ref(key: ObjectKey(["static", "status", 0]))),
                    .ref(Ref(key: ObjectKey(["static", "status", 1]))),
                ])
        let deleted = try #require(bs[3].data.dict)
        #expect(deleted["_key"] == .ref(Ref(key: ObjectKey(["static", "status", 0]))))
        #expect(deleted["health"] == ["poor"])
        for b in transport.broadcasts { #expect(!contains(b, "\"c\"")) }

        let refreshed = try #require(try await client.get(rootObj.ref).object)
        let newRef = try #require(refreshed.refs["status"] ?? nil)
        #expect(newRef.key == ObjectKey(["static", "status", 1]))
        #expect(try await client.get(newRef).object?.fields["health"] == "poor")
        // The old key is gone: a valid code gets NoData, not AccessDenied.
        #expect(try await client.failure("get", args: [.ref(statusRef)])?.kind == .noData)
        await server.stop()
    }

    @Test func exportConveniences() async throws {
        let server = BrokerServer(configuration: .init(secret: "conv"))
        let transport = RecordingTransport()
        server.addTransport(transport)
        let client = TestClient(transport: transport)
        let statusClass = try server.exportClass(
            "Status", key: ["status", "meta"], fields: ["servers", "load", "health"])
        let status = StaticObject(class: statusClass, values: ["health": "OK", "servers": .value(["joe"])])
        try server.addStatic(status, "status")
        let root = try server.exportObject(
            key: ["root"], className: "MyRoot", fields: ["version_string": "0.12.3"], refs: ["status": .object(status)],
            calls: [.function("login") { args in .string("welcome \(try args.string(0))") }])
        server.root = root
        try await server.start()

        let rootObj = try #require(try await client.call("root").object)
        #expect(rootObj.meta?.key == ObjectKey(["static", "root", "meta"]))
        let meta = try #require(rootObj.meta)
        let info = try #require(try await client.get(meta).info)
        #expect(Array(info.info.fields.keys) == ["version_string"])
        #expect(info.info.refs["status"] != nil)
        #expect(try await client.call("login", target: rootObj.ref, args: ["jane"]) == "welcome jane")
        let s = try #require(rootObj.refs["status"] ?? nil)
        #expect(try await client.get(s).object?.fields["health"] == "OK")
        try await server.objUpdate(status, ["health": "poor"])
        #expect(try await client.get(s).object?.fields["health"] == "poor")
        #expect(try client.broadcasts().count == 1)
        // Clients cannot update static objects.
        #expect(
            try await client.failure("update", args: [.ref(s)], named: ["k": .dict(["health": ["poor", "bad"]])])?
                .kind == .readOnly)
        await server.stop()
    }
}
