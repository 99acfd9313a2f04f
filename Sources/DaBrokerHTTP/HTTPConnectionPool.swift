import DaBrokerCore
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The client's HTTP/1.1 connections (SwiftNIO, `NIOHTTP1`): one request at a time per
/// connection, idle keep-alive connections reused by later calls.
final class HTTPConnectionPool: Sendable {
    private struct Idle {
        var channel: any Channel
        var since: ContinuousClock.Instant
    }

    private struct State {
        var idle: [Idle] = []
        var busy: [ObjectIdentifier: any Channel] = [:]
        var closed = false
    }

    let configuration: HTTPClientConfiguration
    private let group: any EventLoopGroup
    private let state = Mutex(State())

    init(configuration: HTTPClientConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// The `Host` header value.
    var hostHeader: String { "\(configuration.host):\(configuration.port)" }

    /// Headers every request carries (host, and the bearer token when configured).
    func baseHeaders() -> HTTPHeaders {
        var headers = HTTPHeaders([("Host", hostHeader)])
        if let token = configuration.bearerToken { headers.add(name: "Authorization", value: "Bearer \(token)") }
        return headers
    }

    /// Opens a new connection whose pipeline ends with the handler `makeHandler` adds.
    func openChannel(
        _ addHandler: @escaping @Sendable (any Channel) throws -> Void
    ) async throws -> any Channel {
        do {
            return try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.nanoseconds(configuration.connectTimeout.nanoseconds))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try addHandler(channel)
                    }
                }
                .connect(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            throw BrokerError.unavailable("cannot connect to \(hostHeader): \(error)")
        }
    }

    /// Sends `POST path` with `body` and returns the whole response.
    ///
    /// The request is sent once, never again: a connection that closes before the reply
    /// (even a reused keep-alive connection the server may have closed while idle) fails the
    /// call as `Unavailable`, because the server may have run it (a `new` would be inserted
    /// twice). The caller decides whether to retry. Idle connections older than
    /// ``HTTPClientConfiguration/maxIdleTime`` are not reused, which keeps that case rare.
    func post(_ path: String, body: [UInt8], contentType: String) async throws -> HTTPReply {
        var headers = baseHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Accept", value: contentType)
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)
        let buffer = ByteBuffer(bytes: body)
        let channel = try await checkout()
        do {
            return try await exchange(head, buffer, on: channel)
        } catch is ConnectionClosedBeforeReply {
            throw BrokerError.unavailable(
                "\(hostHeader) closed the HTTP connection before the reply; the request may or may not have run")
        }
    }

    /// Sends `GET path` (a probe's `/readyz`, a scrape of `/metrics`) and returns the whole response.
    func get(_ path: String) async throws -> HTTPReply {
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: baseHeaders())
        return try await exchange(head, ByteBuffer(), on: try await checkout())
    }

    private func exchange(_ head: HTTPRequestHead, _ body: ByteBuffer, on channel: any Channel) async throws
        -> HTTPReply
    {
        let reply = channel.eventLoop.makePromise(of: HTTPReply.self)
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in
            reply.fail(BrokerError.unavailable("cannot send the request to \(self.hostHeader): \(error)"))
        }
        let exchange = HTTPExchange(
            head: head, body: body, timeout: .nanoseconds(configuration.requestTimeout.nanoseconds), reply: reply)
        channel.writeAndFlush(exchange, promise: written)
        do {
            let response = try await reply.futureResult.get()
            checkin(channel, reuse: response.keepAlive)
            return response
        } catch {
            checkin(channel, reuse: false)
            throw error
        }
    }

    /// Closes every connection; calls in flight fail with `Unavailable`.
    func close() async {
        let channels = state.withLock { s in
            s.closed = true
            defer {
                s.idle = []
                s.busy = [:]
            }
            return s.idle.map(\.channel) + Array(s.busy.values)
        }
        for channel in channels { try? await channel.close() }
    }

    /// A connection for one request: an idle one not older than
    /// ``HTTPClientConfiguration/maxIdleTime`` if one is left, else a new one.
    private func checkout() async throws -> any Channel {
        let oldest = ContinuousClock.now - configuration.maxIdleTime
        let (reusable, stale): ((any Channel)?, [any Channel]) = try state.withLock { s in
            guard !s.closed else { throw BrokerError.unavailable("HTTP client transport is closed") }
            var stale: [any Channel] = []
            while let idle = s.idle.popLast() {
                guard idle.channel.isActive, idle.since >= oldest else {
                    stale.append(idle.channel)
                    continue
                }
                s.busy[ObjectIdentifier(idle.channel)] = idle.channel
                return (idle.channel, stale)
            }
            return (nil, stale)
        }
        for channel in stale { channel.close(promise: nil) }
        if let reusable { return reusable }
        let channel = try await openChannel { channel in
            try channel.pipeline.syncOperations.addHandler(HTTPExchangeHandler())
        }
        let closed = state.withLock { s in
            if !s.closed { s.busy[ObjectIdentifier(channel)] = channel }
            return s.closed
        }
        if closed {
            channel.close(promise: nil)
            throw BrokerError.unavailable("HTTP client transport is closed")
        }
        return channel
    }

    private func checkin(_ channel: any Channel, reuse: Bool) {
        let keep = state.withLock { s in
            s.busy[ObjectIdentifier(channel)] = nil
            guard reuse, !s.closed, channel.isActive, s.idle.count < configuration.maxIdleConnections else {
                return false
            }
            s.idle.append(Idle(channel: channel, since: .now))
            return true
        }
        if !keep { channel.close(promise: nil) }
    }
}
