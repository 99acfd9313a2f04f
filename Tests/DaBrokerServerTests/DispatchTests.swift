import DaBrokerCore
import DaBrokerServerTestSupport
import DaBrokerTestSupport
import Foundation
import OrderedCollections
import Testing

@testable import DaBrokerServer

private struct Boom: Error {
    let detail = "secret-internal-detail"
}

@Suite("Request dispatch")
struct DispatchTests {
    private func served(_ configure: (BrokerServer) throws -> Void = { _ in }) async throws -> (
        BrokerServer, TestClient, RecordingTransport
    ) {
        let server = BrokerServer(configuration: .init(secret: "d", maxConcurrentRequests: 2, maxFindLimit: 5))
        let transport = RecordingTransport()
        server.addTransport(transport)
        try configure(server)
        try await server.start()
        return (server, TestClient(transport: transport), transport)
    }

    /// Items 1 and 2 (`["static", "item", n]`), 1 referring to 2 by `next`.
    private static func twoItems(_ server: BrokerServer) throws -> (StaticObject, StaticObject) {
        let cls = try server.exportClass("Item", key: ["item", "meta"], fields: ["n"], refs: ["next"])
        let b = StaticObject(class: cls, values: ["n": 2])
        let a = StaticObject(class: cls, values: ["n": 1, "next": .object(b)])
        try server.addStatic(a, "item", 1)
        try server.addStatic(b, "item", 2)
        return (a, b)
    }

    @Test func serverLevelCalls() async throws {
        let (server, client, _) = try await served { server in
            server.register("hello") { args in .string("hello \(try args.string(0, method: "hello"))") }
        }
        #expect(try await client.call("echo", args: ["hi"]) == "hi")
        #expect(try await client.call("echo", args: [.list([1, .dict(["a": 2])])]) == .list([1, .dict(["a": 2])]))
        #expect(try await client.call("ping") == "pong")
        let reply = try await client.request("ping")
        #expect(reply.sid == server.instanceID && reply.extras["sid"] == nil)
        #expect(reply.msgid == 0)
        #expect(try await client.call("hello", args: ["you"]) == "hello you")
        #expect(try await client.failure("hello", args: [3])?.kind == .badRequest)
        let unknown = try await client.failure("nosuch")
        #expect(unknown?.kind == .unknownCommand)
        #expect(unknown?.message.contains("nosuch") == true)
        #expect(try await client.failure("root")?.kind == .noData)
        // The meta singleton: served, its own meta.
        let meta = try #require(try await client.get(Ref(key: .metaRoot)).info)
        #expect(meta.meta.key == .metaRoot)
        #expect(try await client.failure("x", target: Ref(key: .metaRoot))?.kind == .unknownCommand)
        await server.stop()
    }

    /// The REST face's way in: no codes asked of the request's refs, none set on the reply's;
    /// the same request on the wire still needs them.
    @Test func trustedRequestsCarryNoCodes() async throws {
        let (server, client, _) = try await served { server in _ = try Self.twoItems(server) }
        let unsigned = Ref(key: ObjectKey(["static", "item", 1]))
        #expect(try await client.failure("get", args: [.ref(unsigned)])?.kind == .accessDenied)
        let request = Request(method: Method.get, args: [.ref(unsigned)]).value
        guard case .success(.object(let a)) = await server.handle(trusted: request) else {
            Issue.record("a trusted get failed")
            return
        }
        #expect(a.fields["n"] == 1)
        #expect(a.ref.code == nil && a.refs["next"]??.code == nil)
        // Errors come back as BrokerErrors, as on the wire.
        let missing = Request(method: Method.get, args: [.ref(Ref(key: ObjectKey(["static", "item", 9])))]).value
        guard case .failure(let error) = await server.handle(trusted: missing) else {
            Issue.record("a trusted get of a missing object succeeded")
            return
        }
        #expect(error.kind == .noData)
        await server.stop()
    }

    @Test func includeFlag() async throws {
        let (server, client, _) = try await served { server in
            let (a, b) = try Self.twoItems(server)
            server.register("one", include: true) { _ in .object(a) }
            server.register("oneRef") { _ in .object(a) }
            server.register("many", include: true) { _ in .list([.object(a), .object(b), .dict(["x": .object(a)])]) }
            server.register("nested", include: true) { _ in .dict(["a": .object(a)]) }
        }
        let one = try #require(try await client.call("one").object)
        #expect(one.fields["n"] == 1)
        #expect((one.refs["next"] ?? nil)?.key == ObjectKey(["static", "item", 2]))
        #expect((one.refs["next"] ?? nil)?.code != nil)
        #expect(try await client.call("oneRef").refValue?.key == ObjectKey(["static", "item", 1]))
        let many = try #require(try await client.call("many").list)
        #expect(many.count == 3)
        #expect(many[0].object?.fields["n"] == 1)
        #expect(many[1].object?.fields["n"] == 2)
        // An unset ref travels as null, its name kept.
        #expect(many[1].object?.refs.keys.contains("next") == true)
        #expect(many[1].object?.refs["next"] == .some(nil))
        #expect(many[2].dict?["x"]?.refValue?.code != nil)
        #expect(try await client.call("nested").dict?["a"]?.refValue != nil)
        await server.stop()
    }

    @Test func malformedRequestsAndSwiftErrors() async throws {
        let (server, client, transport) = try await served { server in
            server.register("boom") { _ in throw Boom() }
            // An object whose class was never registered: a setup mistake, not the client's.
            let orphan = StaticObject(class: BrokerClass("Orphan", fields: ["x"]), values: ["x": 1])
            server.register("orphan", include: true) { _ in .object(orphan) }
        }
        let orphan = try await client.failure("orphan")
        #expect(orphan?.kind == .internal)
        #expect(orphan?.message.contains("Orphan") == false)
        let garbage = try JSONCodec().decode(try await transport.send(Array("{not json".utf8)))
        #expect(garbage.error?.kind == .badRequest)
        #expect(try await client.raw(Message(data: "just a string")).error?.kind == .badRequest)
        #expect(try await client.raw(Message(data: .dict(["x": 1]))).error?.kind == .badRequest)
        #expect(try await client.raw(Message(data: .dict(["_m": "echo", "_a": 3]))).error?.kind == .badRequest)
        #expect(try await client.failure("get", args: [3])?.kind == .badRequest)
        #expect(try await client.raw(Message(data: .dict(["_m": "echo", "_mt": "yes"]))).error?.kind == .badRequest)
        let boom = try await client.failure("boom")
        #expect(boom?.kind == .internal)
        #expect(boom?.message.contains("secret-internal-detail") == false)
        for m in transport.all { #expect(!contains(m, "secret-internal-detail")) }
        await server.stop()
    }

    @Test func searchableHandExportedClass() async throws {
        let (server, client, _) = try await served { server in
            let base = BrokerClass("Num", fields: ["n"])
            let numbers = (1...20).map { StaticObject(class: base, values: ["n": .int($0)]) }
            for (i, o) in numbers.enumerated() { try server.addStatic(o, "num", .int(Int64(i + 1))) }
            try server.addStatic(base, "num", "meta")
            let searchable = BrokerClass.searchableNumbers("Nums", fields: ["n"], numbers: numbers)
            try server.addStatic(searchable, "nums")
            try server.addStatic(try #require(searchable.meta), "nums", "meta")
            server.root = StaticObject(
                class: base,
                values: [
                    "n": .value(
                        .info(
                            InfoValue(
                                ref: Ref(key: ObjectKey(["static", "nums"])), info: searchable.info,
                                meta: Ref(key: ObjectKey(["static", "nums", "meta"])))))
                ])
            try server.addStatic(try #require(server.root), "root")
        }
        let nums = Ref(
            key: ObjectKey(["static", "nums"]), code: server.codes.code(for: ObjectKey(["static", "nums"])))
        let info = try #require(try await client.get(nums).info)
        #expect(info.info.cached == true)
        let meta = try #require(try await client.get(info.meta).info)
        #expect(meta.info.calls["_dab_search"]?.cached == true)
        #expect(meta.info.calls["_dab_count"]?.cached == true)
        // No limit: capped by maxFindLimit (5); a bigger limit too; a smaller one is kept.
        #expect(try await client.call("_dab_search", target: nums).list?.count == 5)
        #expect(try await client.call("_dab_search", target: nums, named: ["_limit": 50]).list?.count == 5)
        let two = try #require(try await client.call("_dab_search", target: nums, named: ["_limit": 2]).list)
        #expect(two.map { $0.object?.fields["n"] } == [1, 2])
        #expect(
            try await client.call("_dab_search", target: nums, named: ["n": 7]).list?.first?.object?.fields["n"] == 7)
        #expect(try await client.call("_dab_count", target: nums) == 20)
        #expect(try await client.call("_dab_count", target: nums, named: ["n": 3]) == 1)
        #expect(try await client.failure("_dab_search", target: nums, named: ["_limit": "x"])?.kind == .badRequest)
        // A class without a meta class has no search.
        let baseRef = Ref(
            key: ObjectKey(["static", "num", "meta"]),
            code: server.codes.code(for: ObjectKey(["static", "num", "meta"])))
        #expect(try await client.failure("_dab_search", target: baseRef)?.kind == .unknownCommand)
        // The root's field holds the info whole.
        let root = try #require(try await client.call("root").object)
        #expect(root.fields["n"]?.info?.ref.code != nil)
        await server.stop()
    }

    @Test func concurrencyIsBounded() async throws {
        let counter = ConcurrencyProbe()
        let (server, client, _) = try await served { server in
            server.register("slow") { _ in
                await counter.enter()
                try await Task.sleep(for: .milliseconds(50))
                await counter.leave()
                return true
            }
        }
        try await withThrowingTaskGroup(of: Value.self) { group in
            for _ in 0..<8 { group.addTask { try await client.call("slow") } }
            for try await v in group { #expect(v == true) }
        }
        #expect(await counter.maximum == 2)
        await server.stop()
    }

    @Test func stopDrainsInFlightRequests() async throws {
        let (entered, enter) = AsyncStream<Void>.makeStream()
        let (server, client, _) = try await served { server in
            server.register("slow") { _ in
                enter.yield()
                try await Task.sleep(for: .milliseconds(200))
                return "done"
            }
        }
        let slow = Task { try await client.call("slow") }
        for await _ in entered { break }  // the call is running, however loaded the machine
        let stopping = Task { await server.stop() }
        try await Task.sleep(for: .milliseconds(20))
        // Refused while draining (the transport is still attached in this test).
        let refused = try? await client.failure("ping")
        #expect(refused?.kind == .unavailable || refused == nil)
        #expect(try await slow.value == "done")
        await stopping.value
    }
}

private actor ConcurrencyProbe {
    private var current = 0
    private(set) var maximum = 0
    func enter() {
        current += 1
        maximum = max(maximum, current)
    }
    func leave() { current -= 1 }
}
