import DaBrokerCore
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// The client's `GET /events` reader: keeps one event stream open, reconnects with
/// `Last-Event-ID` after a loss, and turns events into ``TransportEvent``s.
///
/// It emits `.resynchronize` when the server says `resync` (the id it resumed from is no
/// longer buffered), when the server instance changed (restart: ids started over), and when it
/// reconnected without an id to resume from.
final class EventStreamClient: Sendable {
    private struct State {
        var lastEventID: String?
        var instance: String?
        var hadStream = false
        var resumedFrom: String?
        var live = false
        var waiter: CheckedContinuation<Void, any Error>?
        var channel: (any Channel)?
        var task: Task<Void, Never>?
        var closed = false
        /// `start()` gave up before the first `ready`; the attempt in progress must end.
        var abandoned = false
    }

    private let pool: HTTPConnectionPool
    private let output: AsyncStream<TransportEvent>.Continuation
    private let logger: Logger
    private let state = Mutex(State())

    init(pool: HTTPConnectionPool, output: AsyncStream<TransportEvent>.Continuation, logger: Logger) {
        self.pool = pool
        self.output = output
        self.logger = logger
    }

    /// Opens the stream; returns once the server confirmed it (its `ready` event), or throws
    /// when it refuses or does not answer within the connect timeout.
    func start() async throws {
        // A second `connect()` replaces the first stream.
        let (oldTask, oldChannel) = state.withLock { s in
            defer {
                s.task = nil
                s.channel = nil
                s.abandoned = false
            }
            return (s.task, s.channel)
        }
        oldTask?.cancel()
        try? await oldChannel?.close()
        await oldTask?.value

        let timeout = pool.configuration.connectTimeout
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.finishWaiter(
                .failure(BrokerError.unavailable("no event stream from \(self.pool.hostHeader) within \(timeout)")))
            // Never confirmed: give up this attempt (the run loop ends, it does not retry).
            let pending = self.state.withLock { s -> (any Channel)? in
                guard !s.hadStream else { return nil }
                s.abandoned = true
                return s.channel
            }
            try? await pending?.close()
        }
        defer { timer.cancel() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let alreadyClosed = state.withLock { s in
                s.waiter = continuation
                if !s.closed { s.task = Task { await self.run() } }
                return s.closed
            }
            if alreadyClosed { finishWaiter(.failure(BrokerError.unavailable("HTTP client transport is closed"))) }
        }
    }

    /// Closes the stream and stops reconnecting.
    func stop() async {
        let (channel, task) = state.withLock { s in
            s.closed = true
            return (s.channel, s.task)
        }
        finishWaiter(.failure(BrokerError.unavailable("HTTP client transport is closed")))
        task?.cancel()
        try? await channel?.close()
        await task?.value
    }

    private func run() async {
        var delay = pool.configuration.reconnectDelay
        while !Task.isCancelled {
            do {
                try await streamOnce()
            } catch {
                logger.debug("event stream failed", metadata: ["error": "\(error)"])
                finishWaiter(.failure(error))
            }
            let (closed, wasLive, started) = state.withLock { s in
                defer { s.live = false }
                return (s.closed, s.live, s.hadStream)
            }
            // Before the first `ready`, `start()` reports the failure; no retry loop then.
            if closed || !started { return }
            if wasLive { delay = pool.configuration.reconnectDelay }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, pool.configuration.maxReconnectDelay)
        }
    }

    private func streamOnce() async throws {
        let idle = TimeAmount.nanoseconds(pool.configuration.eventStreamIdleTimeout.nanoseconds)
        let channel = try await pool.openChannel { channel in
            try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
            try channel.pipeline.syncOperations.addHandler(
                EventStreamHandler { [weak self] signal in self?.handle(signal) })
        }
        let (closed, lastID) = state.withLock { s in
            s.channel = channel
            s.resumedFrom = s.lastEventID
            return (s.closed || s.abandoned, s.lastEventID)
        }
        if closed {
            try? await channel.close()
            return
        }
        var headers = pool.baseHeaders()
        headers.add(name: "Accept", value: "text/event-stream")
        if let lastID { headers.add(name: "Last-Event-ID", value: lastID) }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/events", headers: headers)
        try await channel.writeAndFlush(HTTPClientRequestPart.head(head))
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil))
        try await channel.closeFuture.get()
    }

    private func handle(_ signal: EventStreamSignal) {
        switch signal {
        case .refused(let status, let body):
            let kind: BrokerError.Kind = status == .unauthorized ? .accessDenied : .unavailable
            finishWaiter(.failure(BrokerError(kind, "GET /events answered HTTP \(status.code): \(body)")))
        case .events(let events):
            for event in events { handle(event) }
        }
    }

    private func handle(_ event: SSEEvent) {
        switch event.name {
        case "ready", "resync":
            let instance = Self.instance(in: event.data)
            let mustResync = state.withLock { s in
                let restarted = s.hadStream && s.instance != instance
                let unresumed = s.hadStream && s.resumedFrom == nil
                s.instance = instance
                s.lastEventID = event.id
                s.hadStream = true
                s.live = true
                return event.name == "resync" || restarted || unresumed
            }
            if mustResync {
                logger.info("event stream resynchronised", metadata: ["event": "\(event.name)"])
                output.yield(.resynchronize)
            }
            finishWaiter(.success(()))
        case "message":
            if let id = event.id { state.withLock { $0.lastEventID = id } }
            output.yield(.broadcast(event.data))
        default:
            break
        }
    }

    private func finishWaiter(_ result: Result<Void, any Error>) {
        let waiter = state.withLock { s in
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(with: result)
    }

    /// The `instance` string of a control event's data, found without a JSON decoder.
    static func instance(in data: [UInt8]) -> String? {
        let marker = Array(#""instance":""#.utf8)
        guard data.count > marker.count else { return nil }
        for start in 0...(data.count - marker.count) where data[start..<(start + marker.count)].elementsEqual(marker) {
            let valueStart = start + marker.count
            guard let end = data[valueStart...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
            return String(decoding: data[valueStart..<end], as: UTF8.self)
        }
        return nil
    }
}
