import DaBrokerCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The client's HTTP/1.1 connections (SwiftNIO, `NIOHTTP1`): one request at a time per
/// connection, idle keep-alive connections reused by later calls.
final class HTTPConnectionPool: Sendable {
    private struct State {
        var idle: [any Channel] = []
        var busy: [ObjectIdentifier: any Channel] = [:]
        var closed = false
    }

    let configuration: HTTPClientConfiguration
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())

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
    /// When a reused keep-alive connection turns out to have been closed by the server before
    /// any reply byte (it closed it while idle, so it never read the request), the request is
    /// sent once more on a new connection.
    func post(_ path: String, body: [UInt8], contentType: String) async throws -> HTTPReply {
        var headers = baseHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Accept", value: contentType)
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)
        let buffer = ByteBuffer(bytes: body)
        let (channel, reused) = try await checkout(reuse: true)
        do {
            return try await exchange(head, buffer, on: channel)
        } catch is ConnectionClosedBeforeReply where reused {
            let (fresh, _) = try await checkout(reuse: false)
            do {
                return try await exchange(head, buffer, on: fresh)
            } catch is ConnectionClosedBeforeReply {
                throw BrokerError.unavailable("\(hostHeader) closed the HTTP connection before the reply")
            }
        } catch is ConnectionClosedBeforeReply {
            throw BrokerError.unavailable("\(hostHeader) closed the HTTP connection before the reply")
        }
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
        let channels = state.withLockedValue { s in
            s.closed = true
            defer {
                s.idle = []
                s.busy = [:]
            }
            return s.idle + Array(s.busy.values)
        }
        for channel in channels { try? await channel.close() }
    }

    /// A connection for one request: an idle one when `reuse` and one is left, else a new
    /// one; `reused` tells which.
    private func checkout(reuse: Bool) async throws -> (channel: any Channel, reused: Bool) {
        let reusable: (any Channel)? = try state.withLockedValue { s in
            guard !s.closed else { throw BrokerError.unavailable("HTTP client transport is closed") }
            while reuse, let channel = s.idle.popLast() {
                if channel.isActive {
                    s.busy[ObjectIdentifier(channel)] = channel
                    return channel
                }
            }
            return nil
        }
        if let reusable { return (reusable, true) }
        let channel = try await openChannel { channel in
            try channel.pipeline.syncOperations.addHandler(HTTPExchangeHandler())
        }
        let closed = state.withLockedValue { s in
            if !s.closed { s.busy[ObjectIdentifier(channel)] = channel }
            return s.closed
        }
        if closed {
            channel.close(promise: nil)
            throw BrokerError.unavailable("HTTP client transport is closed")
        }
        return (channel, false)
    }

    private func checkin(_ channel: any Channel, reuse: Bool) {
        let keep = state.withLockedValue { s in
            s.busy[ObjectIdentifier(channel)] = nil
            guard reuse, !s.closed, channel.isActive, s.idle.count < configuration.maxIdleConnections else {
                return false
            }
            s.idle.append(channel)
            return true
        }
        if !keep { channel.close(promise: nil) }
    }
}
