/// Handles one encoded request and returns the encoded reply.
public typealias RequestHandler = @Sendable ([UInt8]) async -> [UInt8]

/// The server side of a transport: delivers encoded requests to a handler and sends
/// encoded broadcasts to every client.
///
/// Transports move bytes plus the ids the broker hands them; the broker encodes and decodes
/// with the JSON codec, so every transport (the in-process one included) exercises the real
/// codec, and no transport parses a message.
public protocol ServerTransport: Sendable {
    /// Starts delivering requests to `handler`; returns once the transport accepts requests.
    func start(handler: @escaping RequestHandler) async throws
    /// Sends one encoded broadcast (an `invalid_key` message) to all clients. `msgid` is the
    /// broadcast's id, the same as the `msgid` in its envelope (the HTTP transport's event id).
    func broadcast(_ message: [UInt8], msgid: Int64) async throws
    /// Stops taking requests, lets those in flight finish, and closes.
    func stop() async
}

/// The client side of a transport: sends encoded requests, awaits their replies and
/// receives encoded broadcasts.
public protocol ClientTransport: Sendable {
    /// Connects; after this, `call` may be used.
    func connect() async throws
    /// Sends one encoded request and returns its encoded reply; throws
    /// `BrokerError(.unavailable)` when no server answers in time.
    func call(_ request: [UInt8]) async throws -> [UInt8]
    /// The encoded broadcasts, in order, and transport events (such as a reconnect, after
    /// which the client must drop its cache).
    var events: AsyncStream<TransportEvent> { get }
    /// Closes the connection; pending calls fail with `Unavailable`.
    func close() async
}

/// What a client transport reports besides replies.
public enum TransportEvent: Sendable {
    /// One encoded broadcast.
    case broadcast([UInt8])
    /// The transport lost its connection and has reconnected (or, over HTTP, the event
    /// stream could not resume): broadcasts may have been missed, drop every cached object.
    case resynchronize
}
