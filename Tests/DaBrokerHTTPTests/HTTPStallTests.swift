import DaBrokerCore
import Foundation
import Testing

@testable import DaBrokerHTTP

/// Issue 14, points 2, 3 and 9: slow or stalled clients cannot take `POST /rpc` down, hold a
/// shutdown, or make a client within the limit see 503.
@Suite("HTTP server transport: stalled clients, time limits, the request limit")
struct HTTPStallTests {
    /// Headers announcing a 100,000-byte body, then 8 bytes of it.
    static let stalledBody =
        "POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-dab-json\r\n"
        + "Content-Length: 100000\r\n\r\n{\"_m\":\"p"
    /// The start of a request's headers, never finished.
    static let stalledHeaders = "POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl"

    @Test("70 stalled bodies and 200 stalled headers do not stop POST /rpc; /readyz stays 200")
    func stalledClientsHoldNoSlot() async throws {
        let server = try await EchoServer(.init(port: 0, maxConcurrentRequests: 64))
        var sockets: [RawSocket] = []
        defer { for s in sockets { s.close() } }
        for _ in 0..<70 {
            let s = try await RawSocket.connect(port: server.port)
            try await s.send(Self.stalledBody)
            sockets.append(s)
        }
        for _ in 0..<200 {
            let s = try await RawSocket.connect(port: server.port)
            try await s.send(Self.stalledHeaders)
            sockets.append(s)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let reply = try await RawHTTP.post(port: server.port, #"{"_m":"ping"}"#)
        let elapsed = clock.now - start
        #expect(reply.status == 200)
        #expect(reply.text == #"{"_m":"ping"}"#)
        // The default body and header limits are 30 s and 10 s: far above this bound.
        #expect(elapsed < .seconds(5))
        let ready = try await RawHTTP.get(port: server.port, path: "/readyz")
        #expect(ready.status == 200)
        #expect(ready.text.contains(#""requests_in_progress":0"#))
        print("[security] POST /rpc during 70 stalled bodies + 200 stalled headers: \(elapsed)")
        await server.transport.stop()
    }

    @Test("stalled headers, stalled bodies and idle keep-alive connections are closed after their limits")
    func timeLimitsCloseConnections() async throws {
        // 3 s limits: the steps below must each fit in one even when the parallel suite keeps
        // the cooperative pool busy for a second at a time on 2 cores.
        let server = try await EchoServer(
            .init(port: 0, headerTimeout: .seconds(3), bodyTimeout: .seconds(3), idleTimeout: .seconds(3)))
        let headers = try await RawSocket.connect(port: server.port)
        try await headers.send(Self.stalledHeaders)
        let body = try await RawSocket.connect(port: server.port)
        try await body.send(Self.stalledBody)
        // A body trickling in byte by byte does not extend its limit (it is a total).
        let trickle = try await RawSocket.connect(port: server.port)
        try await trickle.send(Self.stalledBody)
        let idle = try await RawSocket.connect(port: server.port)
        try await idle.send(RawSocket.post(#"{"_m":"ping"}"#))
        #expect(try await idle.readResponse()?.status == 200)
        // Answered before its body was read (415): the connection is then idle like any other.
        let early = try await RawSocket.connect(port: server.port)
        try await early.send(RawSocket.post(#"{"_m":"ping"}"#).replacingOccurrences(of: "x-dab-json", with: "x-other"))
        #expect(try await early.readResponse()?.status == 415)
        let trickling = Task {
            for _ in 0..<75 where !Task.isCancelled {
                try? await trickle.send("x")
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        // Without limits none of these would ever be closed; 14 s tells the two apart.
        #expect(try await headers.waitForClose(seconds: 14))
        #expect(try await body.waitForClose(seconds: 14))
        #expect(try await idle.waitForClose(seconds: 14))
        #expect(try await trickle.waitForClose(seconds: 14))
        #expect(try await early.waitForClose(seconds: 14))
        trickling.cancel()
        // No write may reach a closed (and perhaps reused) descriptor.
        await trickling.value
        for s in [headers, body, trickle, idle, early] { s.close() }
        // A client within the limits is served, again and again on one connection.
        let good = try await RawSocket.connect(port: server.port)
        for i in 0..<3 {
            try await good.send(RawSocket.post(#"{"_m":"ping","i":\#(i)}"#))
            #expect(try await good.readResponse()?.status == 200)
        }
        good.close()
        await server.transport.stop()
    }

    @Test("stop ends within the drain timeout while a request body is stalled")
    func stopWithStalledBody() async throws {
        let server = try await EchoServer(.init(port: 0, drainTimeout: .seconds(2)))
        let stalled = try await RawSocket.connect(port: server.port)
        try await stalled.send(Self.stalledBody)
        // Make sure the server has the request (its headers) before stopping.
        let health = try await RawHTTP.get(port: server.port, path: "/healthz")
        #expect(health.status == 200)
        let clock = ContinuousClock()
        let start = clock.now
        await server.transport.stop()
        let elapsed = clock.now - start
        // Before the fix the stop waited for the client (45 s observed); the body limit is 30 s.
        #expect(elapsed < .seconds(8))
        #expect(try await stalled.waitForClose(seconds: 5))
        stalled.close()
        print("[security] stop with a stalled body open: \(elapsed)")
    }

    @Test("stop ends after the drain timeout while a call is still running")
    func stopAfterDrainTimeout() async throws {
        let started = SharedMutex(false)
        let transport = HTTPServerTransport(configuration: .init(port: 0, drainTimeout: .seconds(1)))
        try await transport.start { request in
            started.withLock { $0 = true }
            try? await Task.sleep(for: .seconds(30))
            return request
        }
        let port = try #require(transport.port)
        let call = Task { try? await RawHTTP.post(port: port, #"{"_m":"slow"}"#) }
        await waitUntil { started.withLock { $0 } }
        let clock = ContinuousClock()
        let start = clock.now
        await transport.stop()
        let elapsed = clock.now - start
        // The call would take 30 s; the drain timeout is 1 s.
        #expect(elapsed < .seconds(10))
        #expect(elapsed >= .milliseconds(900))
        _ = await call.value
    }

    @Test("a client that never holds more than the limit of requests open never gets 503")
    func exactlyAtTheLimit() async throws {
        let limit = 8
        let running = SharedMutex(0)
        let peak = SharedMutex(0)
        let transport = HTTPServerTransport(configuration: .init(port: 0, maxConcurrentRequests: limit))
        try await transport.start { request in
            let now = running.withLock {
                $0 += 1
                return $0
            }
            peak.withLock { $0 = max($0, now) }
            try? await Task.sleep(for: .milliseconds(5))
            running.withLock { $0 -= 1 }
            return request
        }
        let port = try #require(transport.port)
        let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
            for c in 0..<limit {
                group.addTask {
                    let socket = try await RawSocket.connect(port: port)
                    defer { socket.close() }
                    var out: [Int] = []
                    for i in 0..<40 {
                        try await socket.send(RawSocket.post(#"{"_m":"ping","c":\#(c),"i":\#(i)}"#))
                        out.append(try await socket.readResponse()?.status ?? -1)
                    }
                    return out
                }
            }
            var all: [Int] = []
            for try await s in group { all += s }
            return all
        }
        #expect(statuses.count == limit * 40)
        #expect(statuses.filter { $0 == 503 }.count == 0)
        #expect(statuses.allSatisfy { $0 == 200 })
        #expect(peak.withLock { $0 } <= limit)
        await transport.stop()
    }

    @Test("/readyz answers 503 while every request slot is taken; /healthz stays 200")
    func readinessReportsSaturation() async throws {
        let started = SharedMutex(0)
        let released = SharedMutex(false)
        let transport = HTTPServerTransport(configuration: .init(port: 0, maxConcurrentRequests: 1))
        try await transport.start { request in
            started.withLock { $0 += 1 }
            await waitUntil { released.withLock { $0 } }
            return request
        }
        let port = try #require(transport.port)
        #expect(try await RawHTTP.get(port: port, path: "/readyz").status == 200)
        async let slow = RawHTTP.post(port: port, #"{"_m":"slow"}"#)
        await waitUntil { started.withLock { $0 } == 1 }
        let ready = try await RawHTTP.get(port: port, path: "/readyz")
        let health = try await RawHTTP.get(port: port, path: "/healthz")
        released.withLock { $0 = true }
        #expect(ready.status == 503)
        #expect(ready.text.contains(#""status":"busy""#))
        #expect(health.status == 200)
        #expect(health.text.contains(#""requests_in_progress":1"#))
        #expect(try await slow.status == 200)
        #expect(try await RawHTTP.get(port: port, path: "/readyz").status == 200)
        await transport.stop()
    }
}
