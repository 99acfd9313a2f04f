import DaBrokerCore
import DaBrokerServer
import Testing

@Suite("Through the in-process transport")
struct InProcessTransportTests {
    @Test func statusUpdateReachesAClientAsABroadcast() async throws {
        let server = BrokerServer(configuration: .init(secret: "inproc"))
        let transport = InProcessServerTransport()
        server.addTransport(transport)
        let statusClass = try server.exportClass("Status", key: ["status", "meta"], fields: ["health"])
        let status = StaticObject(class: statusClass, values: ["health": "OK"])
        try server.addStatic(status, "status")
        let root = try server.exportObject(key: ["root"], className: "MyRoot", refs: ["status": .object(status)])
        server.root = root
        try await server.start()

        let client = transport.makeClient()
        try await client.connect()
        let codec = JSONCodec()
        func call(_ r: Request) async throws -> Message {
            try codec.decode(try await client.call(codec.encode(r.message)))
        }

        let rootReply = try await call(Request(method: "root"))
        guard case .object(let rootObj) = rootReply.data, let statusRef = rootObj.refs["status"] ?? nil else {
            Issue.record("root is not an object with a status ref: \(rootReply)")
            return
        }
        let before = try await call(Request(method: "get", args: [.ref(statusRef)]))
        if case .object(let o) = before.data { #expect(o.fields["health"] == "OK") }

        try await server.objUpdate(status, ["health": "poor"])
        var events = client.events.makeAsyncIterator()
        guard case .broadcast(let bytes)? = await events.next() else {
            Issue.record("no broadcast")
            return
        }
        let broadcast = try codec.decode(bytes)
        #expect(broadcast.msgid == 1)
        let change = try InvalidKeyBroadcast(from: broadcast.data)
        #expect(change.key?.key == statusRef.key)
        #expect(change.key?.code == nil)

        let after = try await call(Request(method: "get", args: [.ref(statusRef)]))
        #expect(after.msgid == 1)
        if case .object(let o) = after.data { #expect(o.fields["health"] == "poor") }
        await client.close()
        await server.stop()
    }
}
