import DaBrokerCore
import Logging
import Synchronization

/// A client of a DaBroker server: fetches objects, calls methods, and keeps an object cache
/// that the server's `invalid_key` broadcasts keep correct.
///
/// ```swift
/// let client = BrokerClient(transport: transport)
/// try await client.connect()
/// let root = try await client.root
/// print(try await root.status.health.value)               // "OK"
/// let people = try await client.model("Person")
/// let jane = try await people.get(["name": "Jane"])
/// try await people.update(jane, ["name": "Janet"])
/// print(try await client.call("hello", "you"))            // "hello you"
/// ```
///
/// Reads that the cache can answer (`get` of a cached key, a ref to a cached object, a
/// repeated `find` or `count`) take no network round trip; they run under one lock. A reply is used only after the client has applied every broadcast that the
/// server had sent before answering (read-your-writes), waiting at most
/// ``Configuration/readYourWritesTimeout``; on timeout, and whenever the transport reports
/// that broadcasts may have been lost, the client drops its whole cache.
///
/// A `Sendable` class, not an actor: the cache, the broadcast watermark and the listening task
/// each sit behind their own `Mutex`, so no call waits for another to leave the client.
public final class BrokerClient: Sendable {
    /// The configuration the client was made with.
    public let configuration: Configuration
    let transport: any ClientTransport
    let cache: ObjectCache
    let watermark = BroadcastWatermark()
    let rootRef = Mutex<Ref?>(nil)
    var logger: Logger { configuration.logger }
    /// The task applying broadcasts to the cache, while connected.
    private let listener = Mutex<Task<Void, Never>?>(nil)

    /// Makes a client over `transport`; call ``connect()`` before using it.
    public init(transport: any ClientTransport, configuration: Configuration = Configuration()) {
        self.transport = transport
        self.configuration = configuration
        cache = ObjectCache(capacity: configuration.cacheSize)
    }

    /// Connects the transport, starts applying broadcasts, and learns the server's current
    /// broadcast id (with a `ping`) so that replies need not wait for older broadcasts.
    public func connect() async throws {
        guard listener.withLock({ $0 == nil }) else { return }
        try await transport.connect()
        let events = transport.events
        let cache = cache
        let watermark = watermark
        let logger = logger
        let task = Task {
            for await event in events {
                Self.apply(event, cache: cache, watermark: watermark, logger: logger)
            }
        }
        // A concurrent `connect` that got here first keeps its listener.
        let installed = listener.withLock { current -> Bool in
            guard current == nil else { return false }
            current = task
            return true
        }
        guard installed else {
            task.cancel()
            return
        }
        do {
            let reply = try await exchange(.dict(["_m": .string(Method.ping)]), waitForBroadcasts: false)
            if let msgid = reply.msgid { watermark.baseline(sid: reply.sid ?? "", msgid: msgid) }
        } catch {
            stopListening()
            throw error
        }
    }

    /// Stops listening, closes the transport and drops the cache.
    public func close() async {
        stopListening()
        await transport.close()
        cache.removeAll()
        watermark.reset()
    }

    private func stopListening() {
        let task = listener.withLock { current in
            defer { current = nil }
            return current
        }
        task?.cancel()
    }

    /// Makes sure every broadcast the server sent before now has been applied to the cache:
    /// one `ping` round trip, whose reply waits for them (read-your-writes). Use it after
    /// something outside this client changed data and you must not read the old state.
    public nonisolated(nonsending) func synchronize() async throws {
        let reply = try await exchange(.dict(["_m": .string(Method.ping)]))
        if let error = reply.error { throw error }
    }

    /// The cache's counters and sizes now.
    public var statistics: CacheStatistics { cache.statistics }

    /// Drops every cached object (they become obsolete) and every cached call result.
    public func clearCache() { cache.removeAll() }

    // MARK: - Requests

    /// Sends one request and returns its reply after read-your-writes; throws the reply's
    /// error, if any. `epoch` is the cache epoch before sending (for `ObjectCache.intern`).
    nonisolated(nonsending) func send(_ request: Value) async throws -> (data: Value, epoch: UInt64) {
        let epoch = cache.epoch
        let reply = try await exchange(request)
        if let error = reply.error { throw error }
        return (reply.data, epoch)
    }

    /// One round trip: encode, send, decode, wait for the broadcasts the reply follows.
    nonisolated(nonsending) func exchange(_ request: Value, waitForBroadcasts: Bool = true) async throws
        -> ClientWire.Reply
    {
        let bytes = ClientWire.encode(request: request)
        let answer = try await transport.call(bytes)
        let reply = try ClientWire.decodeReply(answer)
        if waitForBroadcasts, let msgid = reply.msgid { await readYourWrites(sid: reply.sid ?? "", msgid: msgid) }
        return reply
    }

    private nonisolated(nonsending) func readYourWrites(sid: String, msgid: Int64) async {
        if watermark.isApplied(sid: sid, msgid: msgid) { return }
        if msgid <= 0, watermark.applied(for: sid) == nil {
            watermark.baseline(sid: sid, msgid: msgid)
            return
        }
        if await watermark.wait(sid: sid, msgid: msgid, timeout: configuration.readYourWritesTimeout) { return }
        logger.warning(
            "broadcasts up to \(msgid) of server \(sid) did not arrive within \(configuration.readYourWritesTimeout); dropping the cache"
        )
        cache.removeAll()
        watermark.advance(sid: sid, to: msgid)
    }

    // MARK: - Broadcasts

    static func apply(_ event: TransportEvent, cache: ObjectCache, watermark: BroadcastWatermark, logger: Logger) {
        switch event {
        case .resynchronize:
            logger.notice("transport resynchronised; dropping the cache")
            cache.removeAll()
            watermark.reset()
        case .broadcast(let bytes):
            let broadcast: ClientWire.Broadcast
            do {
                broadcast = try ClientWire.decodeBroadcast(bytes)
            } catch {
                logger.warning("undecodable broadcast (\(error)); dropping the cache")
                cache.removeAll()
                return
            }
            let sid = broadcast.sid ?? ""
            if let msgid = broadcast.msgid, let applied = watermark.applied(for: sid), msgid > applied + 1 {
                logger.warning("broadcasts \(applied + 1)..<\(msgid) of server \(sid) were missed; dropping the cache")
                cache.removeAll()
            }
            if let invalidation = broadcast.invalidation {
                if invalidation.resync {
                    // Rows of that table changed unseen: the simplest correct answer drops all.
                    logger.notice("the server missed changes of a table; dropping the cache")
                    cache.removeAll()
                } else {
                    cache.invalidate(key: invalidation.key, meta: invalidation.meta)
                }
            }
            if let msgid = broadcast.msgid { watermark.advance(sid: sid, to: msgid) }
        }
    }
}
