import DaBrokerCore
import DaBrokerTestSupport
import Foundation
import Testing

/// A minimal broker for the transport tests: `echo` returns its arguments, `sleep` waits,
/// `shout` broadcasts its argument first; every message goes through the real codec.
private func echoHandler(server: InProcessServerTransport, codec: JSONCodec = JSONCodec()) -> RequestHandler {
    { bytes in
        do throws(BrokerError) {
            let request = try Request(from: codec.decode(bytes).data)
            switch request.method {
            case "echo":
                return codec.encode(Message(data: .list(request.args), msgid: 0))
            case "sleep":
                if case .int(let ms)? = request.named["ms"] { try? await Task.sleep(for: .milliseconds(ms)) }
                return codec.encode(Message(data: "slept", msgid: 0))
            case "shout":
                let b = InvalidKeyBroadcast.created(
                    meta: Ref(key: ObjectKey(["sql", "t"])), values: ["v": request.args.first ?? nil])
                try? await server.broadcast(codec.encode(b.message(msgid: 1)), msgid: 1)
                return codec.encode(Message(data: true, msgid: 1))
            default:
                return codec.encode(Message(error: .unknownCommand("no method '\(request.method)'")))
            }
        } catch {
            return codec.encode(Message(error: error))
        }
    }
}

@Suite("In-process transport")
struct InProcessTransportTests {
    let codec = JSONCodec()

    func started(tap: (@Sendable (InProcessServerTransport.Traffic, [UInt8]) -> Void)? = nil) async throws
        -> InProcessServerTransport
    {
        let server = InProcessServerTransport(tap: tap)
        try await server.start(handler: echoHandler(server: server))
        return server
    }

    func call(_ client: InProcessClientTransport, _ request: Request) async throws -> Message {
        try codec.decode(try await client.call(codec.encode(request.message)))
    }

    @Test("a call reaches the handler and its reply comes back through the codec")
    func echo() async throws {
        let server = try await started()
        let client = server.makeClient()
        try await client.connect()
        let reply = try await call(
            client, Request(method: "echo", args: ["hi", 2, .date(DateValue(year: 2020, month: 2, day: 29))]))
        #expect(reply.data == ["hi", 2, .date(DateValue(year: 2020, month: 2, day: 29))])
        #expect(reply.msgid == 0)
        let unknown = try await call(client, Request(method: "nope"))
        #expect(unknown.error?.kind == .unknownCommand)
        let garbage = try codec.decode(try await client.call(Array("{not json".utf8)))
        #expect(garbage.error?.kind == .badRequest)
        await client.close()
    }

    @Test("calls fail with Unavailable before connect, before start and after stop")
    func unavailable() async throws {
        let server = InProcessServerTransport()
        let client = server.makeClient()
        let notConnected = await #expect(throws: BrokerError.self) { _ = try await client.call([]) }
        #expect(notConnected?.kind == .unavailable)
        try await client.connect()
        let notStarted = await #expect(throws: BrokerError.self) { _ = try await client.call([]) }
        #expect(notStarted?.kind == .unavailable)
        try await server.start(handler: echoHandler(server: server))
        #expect(try await call(client, Request(method: "echo", args: [1])).data == [1])
        await server.stop()
        let stopped = await #expect(throws: BrokerError.self) { _ = try await call(client, Request(method: "echo")) }
        #expect(stopped?.kind == .unavailable)
    }

    @Test("broadcasts fan out, in order, to every connected client")
    func fanOut() async throws {
        let server = try await started()
        let clients = (0..<3).map { _ in server.makeClient() }
        for c in clients { try await c.connect() }
        let gone = server.makeClient()
        try await gone.connect()
        await gone.close()
        #expect(server.clientCount == 3)
        for i in 0..<5 {
            #expect(try await call(clients[0], Request(method: "shout", args: [.int(Int64(i))])).data == true)
        }
        for c in clients {
            var seen: [Value] = []
            for await event in c.events {
                guard case .broadcast(let bytes) = event else { continue }
                let b = try InvalidKeyBroadcast(from: codec.decode(bytes).data)
                if case .value(let v)? = b.changes["v"] { seen.append(v) }
                if seen.count == 5 { break }
            }
            #expect(seen == [0, 1, 2, 3, 4])
        }
        var ended = true
        for await _ in gone.events { ended = false }
        #expect(ended)
    }

    @Test("many concurrent calls are all answered, each with its own reply")
    func concurrent() async throws {
        let server = try await started()
        let client = server.makeClient()
        try await client.connect()
        let results = try await withThrowingTaskGroup(of: (Int, Value).self) { group in
            for i in 0..<200 {
                group.addTask { (i, try await call(client, Request(method: "echo", args: [.int(Int64(i))])).data) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 200)
        #expect(results.allSatisfy { $0.value == [.int(Int64($0.key))] })
    }

    @Test("stop waits for calls in flight and then refuses new ones")
    func drain() async throws {
        let server = try await started()
        let client = server.makeClient()
        try await client.connect()
        let slow = Task { try await call(client, Request(method: "sleep", named: ["ms": 200])) }
        while server.requestsInFlight == 0 { try await Task.sleep(for: .milliseconds(1)) }
        await server.stop()
        #expect(server.requestsInFlight == 0)
        #expect(try await slow.value.data == "slept")
    }

    @Test("close fails pending calls with Unavailable at once")
    func closeFailsPending() async throws {
        let server = try await started()
        let client = server.makeClient()
        try await client.connect()
        let slow = Task { try await client.call(codec.encode(Request(method: "sleep", named: ["ms": 20_000]).message)) }
        try await Task.sleep(for: .milliseconds(50))
        let clock = ContinuousClock()
        let start = clock.now
        await client.close()
        let error = await #expect(throws: BrokerError.self) { _ = try await slow.value }
        #expect(error?.kind == .unavailable)
        #expect(clock.now - start < .seconds(10))  // not after the 20 s reply, however loaded the machine
        let reconnect = await #expect(throws: BrokerError.self) { try await client.connect() }
        #expect(reconnect?.kind == .unavailable)
    }

    @Test("the tap sees every request, reply and broadcast, and each decodes")
    func tap() async throws {
        let log = TrafficLog()
        let server = try await started { direction, bytes in log.append(direction, bytes) }
        let client = server.makeClient()
        try await client.connect()
        _ = try await call(client, Request(method: "echo", args: ["x"]))
        _ = try await call(client, Request(method: "shout", args: ["y"]))
        client.simulateReconnect()
        let traffic = log.entries
        #expect(traffic.map(\.0) == [.request, .reply, .request, .broadcast, .reply])
        for (_, bytes) in traffic { #expect(throws: Never.self) { try codec.decode(bytes) } }
        var events: [String] = []
        for await event in client.events {
            switch event {
            case .broadcast: events.append("broadcast")
            case .resynchronize: events.append("resynchronize")
            }
            if events.count == 2 { break }
        }
        #expect(events == ["broadcast", "resynchronize"])
    }
}
