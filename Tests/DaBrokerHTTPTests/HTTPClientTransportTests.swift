import DaBrokerCore
import NIOPosix
import Testing

@testable import DaBrokerHTTP

/// The HTTP client transport against a real HTTP server transport with an echo handler.
@Suite("HTTP client transport")
struct HTTPClientTransportTests {
    static func text(_ id: Int64) -> String { String(decoding: EchoServer.broadcast(id), as: UTF8.self) }

    @Test("calls get the handler's reply over reused keep-alive connections")
    func calls() async throws {
        let server = try await EchoServer()
        let client = HTTPClientTransport(configuration: .init(port: server.port))
        for i in 0..<50 {
            let request = Array(#"{"_m":"echo","_a":[\#(i)]}"#.utf8)
            #expect(try await client.call(request) == request)
        }
        async let a = client.call(Array(#"{"n":1}"#.utf8))
        async let b = client.call(Array(#"{"n":2}"#.utf8))
        #expect(try await a == Array(#"{"n":1}"#.utf8))
        #expect(try await b == Array(#"{"n":2}"#.utf8))
        let rejected = try await client.call(Array("not json".utf8))
        #expect(String(decoding: rejected, as: UTF8.self).contains(#""_t":"BadRequest""#))
        await client.close()
        await server.transport.stop()
    }

    @Test("a missing token fails connect with AccessDenied; calls return the AccessDenied reply")
    func token() async throws {
        let server = try await EchoServer(.init(bearerToken: "t0ken"))
        let anonymous = HTTPClientTransport(configuration: .init(port: server.port))
        await #expect(throws: BrokerError.self) { try await anonymous.connect() }
        let reply = try await anonymous.call(Array(#"{"_m":"ping"}"#.utf8))
        #expect(String(decoding: reply, as: UTF8.self).contains(#""_t":"AccessDenied""#))
        await anonymous.close()

        let client = HTTPClientTransport(configuration: .init(port: server.port, bearerToken: "t0ken"))
        try await client.connect()
        #expect(try await client.call(Array(#"{"_m":"ping"}"#.utf8)) == Array(#"{"_m":"ping"}"#.utf8))
        await client.close()
        await server.transport.stop()
    }

    @Test("broadcasts arrive in order; a dropped stream resumes with Last-Event-ID without resync")
    func resume() async throws {
        let server = try await EchoServer()
        let client = HTTPClientTransport(configuration: .init(port: server.port))
        let collector = EventCollector(client.events)
        try await client.connect()
        try await server.transport.broadcast(EchoServer.broadcast(1), msgid: 1)
        try await server.transport.broadcast(EchoServer.broadcast(2), msgid: 2)
        #expect(await collector.wait(for: 2) == [.broadcast(Self.text(1)), .broadcast(Self.text(2))])

        server.transport.disconnectEventStreams()
        try await server.transport.broadcast(EchoServer.broadcast(3), msgid: 3)
        try await server.transport.broadcast(EchoServer.broadcast(4), msgid: 4)
        let seen = await collector.wait(for: 4)
        #expect(seen == [1, 2, 3, 4].map { .broadcast(Self.text($0)) })
        await client.close()
        await server.transport.stop()
    }

    @Test("a resume point older than the server's buffer gives .resynchronize, then live events")
    func resyncTooOld() async throws {
        let server = try await EchoServer(.init(eventBufferSize: 2))
        let client = HTTPClientTransport(configuration: .init(port: server.port, reconnectDelay: .milliseconds(300)))
        let collector = EventCollector(client.events)
        try await client.connect()
        try await server.transport.broadcast(EchoServer.broadcast(1), msgid: 1)
        await collector.wait(for: 1)
        server.transport.disconnectEventStreams()
        for id in Int64(2)...6 { try await server.transport.broadcast(EchoServer.broadcast(id), msgid: id) }
        await collector.wait(for: 2)
        try await Task.sleep(for: .milliseconds(100))
        try await server.transport.broadcast(EchoServer.broadcast(7), msgid: 7)
        let seen = await collector.wait(for: 3)
        #expect(seen == [.broadcast(Self.text(1)), .resynchronize, .broadcast(Self.text(7))])
        await client.close()
        await server.transport.stop()
    }

    @Test("a restarted server (new instance, ids start over) gives .resynchronize")
    func serverRestart() async throws {
        let first = HTTPServerTransport(configuration: .init(port: 0))
        try await first.start { $0 }
        let port = try #require(first.port)
        let client = HTTPClientTransport(configuration: .init(port: port))
        let collector = EventCollector(client.events)
        try await client.connect()
        try await first.broadcast(EchoServer.broadcast(1), msgid: 1)
        await collector.wait(for: 1)
        await first.stop()

        let second = HTTPServerTransport(configuration: .init(port: port))
        try await second.start { $0 }
        await collector.wait(for: 2)
        #expect(collector.events.last == .resynchronize)
        // Give the stream time to be live again, then check it delivers.
        try await Task.sleep(for: .milliseconds(100))
        try await second.broadcast(EchoServer.broadcast(1), msgid: 1)
        #expect(await collector.wait(for: 3).last == .broadcast(Self.text(1)))
        #expect(try await client.call(Array(#"{"x":1}"#.utf8)) == Array(#"{"x":1}"#.utf8))
        await client.close()
        await second.stop()
    }

    @Test("no server: connect and call fail with Unavailable; close fails calls in flight")
    func unavailable() async throws {
        let server = try await EchoServer()
        let port = server.port
        await server.transport.stop()
        let client = HTTPClientTransport(configuration: .init(port: port, connectTimeout: .seconds(1)))
        await #expect { try await client.connect() } throws: { ($0 as? BrokerError)?.kind == .unavailable }
        await #expect { try await client.call([UInt8]("{}".utf8)) } throws: {
            ($0 as? BrokerError)?.kind == .unavailable
        }
        await client.close()

        let slow = try await EchoServer(delay: .seconds(2))
        let busy = HTTPClientTransport(configuration: .init(port: slow.port))
        let pending = Task { try await busy.call(Array("{}".utf8)) }
        try await Task.sleep(for: .milliseconds(200))
        await busy.close()
        await #expect { try await pending.value } throws: { ($0 as? BrokerError)?.kind == .unavailable }
        await slow.transport.stop()
    }

    @Test("a call without a reply in time fails with Unavailable")
    func timeout() async throws {
        let server = try await EchoServer(delay: .seconds(2))
        let client = HTTPClientTransport(configuration: .init(port: server.port, requestTimeout: .milliseconds(200)))
        await #expect { try await client.call(Array("{}".utf8)) } throws: {
            ($0 as? BrokerError)?.kind == .unavailable && "\($0)".contains("no HTTP reply")
        }
        await client.close()
        await server.transport.stop()
    }

    @Test("a silent event stream is reconnected after the idle timeout and resumes without resync")
    func idleTimeout() async throws {
        let server = try await EchoServer()
        let client = HTTPClientTransport(
            configuration: .init(port: server.port, eventStreamIdleTimeout: .seconds(3)))
        let collector = EventCollector(client.events)
        try await client.connect()
        try await server.transport.broadcast(EchoServer.broadcast(1), msgid: 1)
        await collector.wait(for: 1)
        // Past the idle timeout (3 s: connecting must fit in it on a loaded machine).
        try await Task.sleep(for: .milliseconds(6500))
        try await server.transport.broadcast(EchoServer.broadcast(2), msgid: 2)
        #expect(await collector.wait(for: 2) == [.broadcast(Self.text(1)), .broadcast(Self.text(2))])
        await client.close()
        await server.transport.stop()
    }

    @Test("a server that accepts but never answers: connect fails within the connect timeout")
    func silentServer() async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        let client = HTTPClientTransport(configuration: .init(port: port, connectTimeout: .milliseconds(300)))
        let start = ContinuousClock.now
        await #expect { try await client.connect() } throws: { ($0 as? BrokerError)?.kind == .unavailable }
        #expect(ContinuousClock.now - start < .seconds(8))  // a 300 ms timeout, not a hang
        await client.close()
        try await listener.close()
    }
}

/// Issue 14, point 7: the client never sends a request twice.
@Suite("HTTP client transport: a POST is never re-sent")
struct HTTPClientNoResendTests {
    @Test("a server that reads the request and closes: Unavailable, the request sent once")
    func closedAfterReading() async throws {
        let server = try RawServer(answered: 0)
        defer { server.stop() }
        let client = HTTPClientTransport(configuration: .init(port: server.port, requestTimeout: .seconds(20)))
        let error = await #expect(throws: BrokerError.self) {
            try await client.call(Array(#"{"_m":"new"}"#.utf8))
        }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("may or may not have run") == true)
        // Give a re-send the time to arrive before counting.
        try await Task.sleep(for: .milliseconds(500))
        #expect(server.requests == 1)
        #expect(server.connections == 1)
        await client.close()
    }

    @Test("a reused keep-alive connection closed after the request: Unavailable, not sent again")
    func reusedConnectionClosedAfterReading() async throws {
        let server = try RawServer(answered: 1)
        defer { server.stop() }
        let client = HTTPClientTransport(configuration: .init(port: server.port, requestTimeout: .seconds(20)))
        #expect(try await client.call(Array(#"{"_m":"ping"}"#.utf8)) == Array(#"{"ok":true}"#.utf8))
        let error = await #expect(throws: BrokerError.self) {
            try await client.call(Array(#"{"_m":"new"}"#.utf8))
        }
        #expect(error?.kind == .unavailable)
        try await Task.sleep(for: .milliseconds(500))
        #expect(server.requests == 2)
        #expect(server.connections == 1)
        await client.close()
    }
}
