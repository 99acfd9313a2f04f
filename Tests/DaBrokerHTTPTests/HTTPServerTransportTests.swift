import DaBrokerCore
import DaBrokerTestSupport
import Foundation
import Testing

@testable import DaBrokerHTTP

/// The HTTP server transport on a real loopback port, with an echo handler.
@Suite("HTTP server transport")
struct HTTPServerTransportTests {
    @Test("POST /rpc answers the handler's reply with the message content type")
    func rpcEcho() async throws {
        let server = try await EchoServer()
        defer { Task { await server.transport.stop() } }
        let body = #"{"_m":"echo","_a":{"_o":"LIST","_d":[1]}}"#
        let reply = try await RawHTTP.post(port: server.port, body)
        #expect(reply.status == 200)
        #expect(reply.text == body)
        #expect(reply.header("Content-Type") == "application/x-dab-json")
        let json = try await RawHTTP.post(port: server.port, body, contentType: "application/json; charset=utf-8")
        #expect(json.status == 200)
        #expect(json.text == body)
        await server.transport.stop()
    }

    @Test("bad bodies get 400/413/415 with the protocol's error message, and serving goes on")
    func badBodies() async throws {
        let server = try await EchoServer(.init(maxBodyBytes: 1000))
        let port = server.port

        let wrongType = try await RawHTTP.post(port: port, #"{"_m":"ping"}"#, contentType: "text/plain")
        #expect(wrongType.status == 415)
        #expect(wrongType.text.contains(#""_t":"BadRequest""#))
        #expect(wrongType.text.contains("text/plain"))

        let noType = try await RawHTTP.post(port: port, #"{"_m":"ping"}"#, contentType: nil)
        #expect(noType.status == 415)

        let empty = try await RawHTTP.post(port: port, "")
        #expect(empty.status == 400)
        #expect(empty.text.contains(#""_o":"exc""#))
        #expect(empty.text.contains("empty request body"))

        let malformed = try await RawHTTP.post(port: port, #"{"_m": "echo", "_a": [1,}"#)
        #expect(malformed.status == 400)
        #expect(malformed.text.contains(#""_t":"BadRequest""#))
        #expect(malformed.text.contains("not a JSON object"))

        let notObject = try await RawHTTP.post(port: port, "[1,2]")
        #expect(notObject.status == 400)

        let trailing = try await RawHTTP.post(port: port, #"{"_m":"ping"} x"#)
        #expect(trailing.status == 400)

        let big = "{\"x\":\"" + String(repeating: "a", count: 5000) + "\"}"
        let oversize = try await RawHTTP.post(port: port, big)
        #expect(oversize.status == 413)
        #expect(oversize.text.contains("exceeds the limit of 1000 bytes"))

        let fine = try await RawHTTP.post(port: port, #"{"_m":"ping"}"#)
        #expect(fine.status == 200)
        #expect(fine.text == #"{"_m":"ping"}"#)
        await server.transport.stop()
    }

    @Test("a configured bearer token is required on every endpoint")
    func bearerToken() async throws {
        let server = try await EchoServer(.init(bearerToken: "s3cret"))
        let port = server.port
        let missing = try await RawHTTP.post(port: port, #"{"_m":"ping"}"#)
        #expect(missing.status == 401)
        #expect(missing.text.contains(#""_t":"AccessDenied""#))
        #expect(missing.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        let wrong = try await RawHTTP.post(port: port, #"{"_m":"ping"}"#, token: "s3cret-not")
        #expect(wrong.status == 401)
        #expect(try await RawHTTP.get(port: port, path: "/healthz").status == 401)
        #expect(try await RawHTTP.get(port: port, path: "/events").status == 401)

        let right = try await RawHTTP.post(port: port, #"{"_m":"ping"}"#, token: "s3cret")
        #expect(right.status == 200)
        #expect(try await RawHTTP.get(port: port, path: "/healthz", token: "s3cret").status == 200)
        let reader = try await SSETestReader(port: port, token: "s3cret")
        let events = await reader.waitForEvents(1)
        #expect(reader.status == 200)
        #expect(events.first?.name == "ready")
        await reader.close()
        await server.transport.stop()
    }

    @Test("healthz, unknown paths and wrong methods")
    func routes() async throws {
        let server = try await EchoServer()
        let health = try await RawHTTP.get(port: server.port, path: "/healthz")
        #expect(health.status == 200)
        #expect(health.text.hasPrefix(#"{"status":"ok","requests_in_progress":0,"max_requests":64}"#))
        #expect(try await RawHTTP.get(port: server.port, path: "/nope").status == 404)
        let getRPC = try await RawHTTP.get(port: server.port, path: "/rpc")
        #expect(getRPC.status == 405)
        #expect(getRPC.header("Allow") == "POST")
        await server.transport.stop()
    }

    @Test("GET /events streams broadcasts with id = msgid, data on one line, and keep-alives")
    func eventStream() async throws {
        let server = try await EchoServer(.init(keepAliveInterval: .milliseconds(100)))
        let reader = try await SSETestReader(port: server.port)
        let ready = await reader.waitForEvents(1)
        #expect(ready.first?.name == "ready")
        #expect(ready.first?.id == "0")

        try await server.transport.broadcast(EchoServer.broadcast(7), msgid: 7)
        let pretty = Array("{\n  \"data\": {\"_m\": \"invalid_key\"},\n  \"msgid\": 8\n}".utf8)
        try await server.transport.broadcast(pretty, msgid: 8)
        let events = await reader.waitForEvents(3)
        #expect(events.count == 3)
        #expect(events.dropFirst().first?.id == "7")
        #expect(events.dropFirst().first?.data == EchoServer.broadcast(7))
        #expect(events.last?.id == "8")
        #expect(events.last?.data.contains(0x0A) == false)
        await reader.waitUntil { $0.raw.contains(": keep-alive") }
        #expect(reader.raw.contains(": keep-alive\n\n"))
        #expect(reader.raw.hasPrefix("retry: "))
        await reader.close()
        await server.transport.stop()
    }

    @Test("Last-Event-ID resumes from the ring buffer; too old an id gets resync")
    func resumption() async throws {
        let server = try await EchoServer(.init(eventBufferSize: 3))
        for id in Int64(1)...5 { try await server.transport.broadcast(EchoServer.broadcast(id), msgid: id) }

        let resumed = try await SSETestReader(port: server.port, lastEventID: "3")
        let replay = await resumed.waitForEvents(3)
        #expect(replay.map(\.id) == ["4", "5", "5"])
        #expect(replay.map(\.name) == ["message", "message", "ready"])

        let current = try await SSETestReader(port: server.port, lastEventID: "5")
        #expect(await current.waitForEvents(1).map(\.name) == ["ready"])

        let tooOld = try await SSETestReader(port: server.port, lastEventID: "1")
        let resync = await tooOld.waitForEvents(1)
        #expect(resync.first?.name == "resync")
        #expect(resync.first?.id == "5")
        let reason = String(decoding: resync.first?.data ?? [], as: UTF8.self)
        #expect(reason.contains("older than the event buffer"))

        let future = try await SSETestReader(port: server.port, lastEventID: "99")
        #expect(await future.waitForEvents(1).first?.name == "resync")

        try await server.transport.broadcast(EchoServer.broadcast(6), msgid: 6)
        #expect(await tooOld.waitForEvents(2).last?.id == "6")
        #expect(await resumed.waitForEvents(4).last?.id == "6")
        for reader in [resumed, current, tooOld, future] { await reader.close() }
        await server.transport.stop()
    }

    @Test("requests over the concurrency limit get 503 Unavailable, not a queue")
    func concurrencyLimit() async throws {
        let started = SharedMutex(0)
        let released = SharedMutex(false)
        let transport = HTTPServerTransport(configuration: .init(port: 0, maxConcurrentRequests: 1))
        try await transport.start { request in
            started.withLock { $0 += 1 }
            await waitUntil { released.withLock { $0 } }
            return request
        }
        let port = try #require(transport.port)
        async let slow = RawHTTP.post(port: port, #"{"_m":"slow"}"#)
        await waitUntil { started.withLock { $0 } == 1 }
        let rejected = try await RawHTTP.post(port: port, #"{"_m":"fast"}"#)
        released.withLock { $0 = true }
        #expect(rejected.status == 503)
        #expect(rejected.text.contains(#""_t":"Unavailable""#))
        #expect(rejected.header("Retry-After") == "1")
        #expect(started.withLock { $0 } == 1)
        #expect(try await slow.status == 200)
        #expect(try await RawHTTP.post(port: port, #"{"_m":"again"}"#).status == 200)
        await transport.stop()
    }

    @Test("stop lets a request in flight finish, ends event streams and frees the port")
    func gracefulStop() async throws {
        let started = SharedMutex(0)
        let transport = HTTPServerTransport(configuration: .init(port: 0))
        try await transport.start { request in
            started.withLock { $0 += 1 }
            try? await Task.sleep(for: .milliseconds(400))
            return request
        }
        let port = try #require(transport.port)
        let reader = try await SSETestReader(port: port)
        await reader.waitForEvents(1)
        async let inFlight = RawHTTP.post(port: port, #"{"_m":"slow"}"#)
        await waitUntil { started.withLock { $0 } > 0 }
        await transport.stop()
        #expect(try await inFlight.status == 200)
        await reader.waitUntil { $0.closed }
        #expect(reader.isClosed)
        await #expect(throws: (any Error).self) { try await RawHTTP.get(port: port, path: "/healthz") }
    }

    @Test("binding a port in use fails with Unavailable")
    func portInUse() async throws {
        let first = try await EchoServer()
        let second = HTTPServerTransport(configuration: .init(port: first.port))
        await #expect(throws: BrokerError.self) { try await second.start { $0 } }
        await first.transport.stop()
    }
}

/// Polls `condition` every 5 ms for up to 10 s.
func waitUntil(_ condition: () -> Bool) async {
    let deadline = ContinuousClock.now + .seconds(10)
    while !condition(), ContinuousClock.now < deadline {
        try? await Task.sleep(for: .milliseconds(5))
    }
}
