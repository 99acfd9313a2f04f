import DaBrokerCore
import DequeModule
import NIOCore
import Synchronization

/// The broadcast side of the HTTP server: keeps the most recent broadcasts in a bounded
/// ring (for `Last-Event-ID` resumption) and feeds every open `GET /events` stream.
///
/// Every stream starts with a `retry:` field, then — when resuming — the missed events, then
/// one control event: `ready` (live from here) or `resync` (events were lost: drop your
/// cache). Both carry `id:` = the last broadcast id, so a reader always has a resume point.
final class EventHub: Sendable {
    /// What ``open(lastEventID:)`` gives a new reader.
    enum Opening {
        case stream(AsyncStream<ByteBuffer>, token: Int)
        case overLimit
        case closed
    }

    private struct Event {
        let id: Int64
        let chunk: ByteBuffer
    }

    private struct State {
        var ring: Deque<Event> = []
        var lastID: Int64 = 0
        var readers: [Int: AsyncStream<ByteBuffer>.Continuation] = [:]
        var nextToken = 0
        var closed = false
        var keepAlive: Task<Void, Never>?
        var resyncs = 0
    }

    /// Identifies this server transport instance; a reader that sees it change after a
    /// reconnect knows the ids started over and resynchronises.
    let instance: String
    private let configuration: HTTPServerConfiguration
    private let state = Mutex(State())

    init(configuration: HTTPServerConfiguration, instance: String) {
        self.configuration = configuration
        self.instance = instance
    }

    /// Number of open event streams.
    var readerCount: Int { state.withLock { $0.readers.count } }

    /// Streams opened with `resync` (their readers drop their whole cache), since start.
    var resyncCount: Int { state.withLock { $0.resyncs } }

    /// The id of the last broadcast published (0 before the first).
    var lastID: Int64 { state.withLock { $0.lastID } }

    /// Starts the keep-alive comments.
    func start() {
        let interval = configuration.keepAliveInterval
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, !Task.isCancelled else { return }
                self.sendToAll(ByteBuffer(string: ": keep-alive\n\n"))
            }
        }
        state.withLock { $0.keepAlive = task }
    }

    /// Publishes one encoded broadcast with event id `id` (its `msgid`).
    func publish(_ message: [UInt8], id: Int64) {
        var dropped: [AsyncStream<ByteBuffer>.Continuation] = []
        state.withLock { s in
            guard !s.closed else { return }
            let event = Event(id: id, chunk: SSEFormat.event(id: id, data: message))
            s.lastID = id
            s.ring.append(event)
            while s.ring.count > max(configuration.eventBufferSize, 0) { s.ring.removeFirst() }
            // Yield under the lock so that concurrent publishes reach every reader in order.
            for (token, reader) in s.readers {
                if case .dropped = reader.yield(event.chunk) {
                    s.readers[token] = nil
                    dropped.append(reader)
                }
            }
        }
        // A reader too slow to keep up is closed; it resumes from the ring on reconnect.
        for reader in dropped { reader.finish() }
    }

    /// Opens a stream for a reader that last saw `lastEventID` (the header's raw value).
    func open(lastEventID: String?) -> Opening {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream(
            bufferingPolicy: .bufferingOldest(max(configuration.maxPendingEventsPerStream, 1)))
        let opening: Opening = state.withLock { s in
            if s.closed { return .closed }
            if s.readers.count >= configuration.maxEventStreams { return .overLimit }
            var prelude = ByteBuffer(string: "retry: \(configuration.retryMilliseconds)\n\n")
            switch resumption(lastEventID, s) {
            case .live:
                prelude.writeImmutableBuffer(SSEFormat.control("ready", id: s.lastID, instance: instance))
            case .replay(let from):
                for event in s.ring where event.id > from { prelude.writeImmutableBuffer(event.chunk) }
                prelude.writeImmutableBuffer(SSEFormat.control("ready", id: s.lastID, instance: instance))
            case .resync(let reason):
                s.resyncs += 1
                prelude.writeImmutableBuffer(
                    SSEFormat.control("resync", id: s.lastID, instance: instance, reason: reason))
            }
            continuation.yield(prelude)
            let token = s.nextToken
            s.nextToken += 1
            s.readers[token] = continuation
            return .stream(stream, token: token)
        }
        if case .stream(_, let token) = opening {
            continuation.onTermination = { [weak self] _ in self?.close(token: token) }
        } else {
            continuation.finish()
        }
        return opening
    }

    /// Forgets the reader `token` (its stream ended or its connection closed).
    func close(token: Int) {
        let reader = state.withLock { $0.readers.removeValue(forKey: token) }
        reader?.finish()
    }

    /// Ends every open stream but keeps serving (readers reconnect and resume).
    func disconnectReaders() {
        let readers = state.withLock { s in
            defer { s.readers = [:] }
            return Array(s.readers.values)
        }
        for reader in readers { reader.finish() }
    }

    /// Ends every stream and refuses new ones (the server is stopping).
    func close() {
        let (readers, task) = state.withLock { s in
            s.closed = true
            let readers = Array(s.readers.values)
            s.readers = [:]
            let task = s.keepAlive
            s.keepAlive = nil
            return (readers, task)
        }
        task?.cancel()
        for reader in readers { reader.finish() }
    }

    private enum Resumption {
        case live
        case replay(after: Int64)
        case resync(String)
    }

    private func resumption(_ header: String?, _ s: State) -> Resumption {
        let text = header?.trimmingSpaces ?? ""
        if text.isEmpty { return .live }
        guard let last = Int64(text) else {
            return .resync("Last-Event-ID '\(BrokerError.excerpt(text))' is not an event id")
        }
        if last == s.lastID { return .live }
        if last > s.lastID {
            return .resync("Last-Event-ID \(last) is newer than the last event \(s.lastID) (server restarted?)")
        }
        if let oldest = s.ring.first, oldest.id <= last + 1 { return .replay(after: last) }
        let oldest = s.ring.first.map { String($0.id) } ?? "none"
        return .resync("Last-Event-ID \(last) is older than the event buffer (oldest kept: \(oldest))")
    }

    private func sendToAll(_ chunk: ByteBuffer) {
        var dropped: [AsyncStream<ByteBuffer>.Continuation] = []
        state.withLock { s in
            for (token, reader) in s.readers {
                if case .dropped = reader.yield(chunk) {
                    s.readers[token] = nil
                    dropped.append(reader)
                }
            }
        }
        for reader in dropped { reader.finish() }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
