import DaBrokerCore
import Logging
import Synchronization

/// Numbers broadcasts and sends them to every transport, one after the other, in the order
/// they were numbered (a client applies broadcasts in msgid order).
actor Broadcaster {
    private var counter: Int64 = 0
    private var last: Task<Void, Never>?
    private let logger: Logger
    /// The id of the last broadcast handed to every transport (replies carry it as `msgid`);
    /// read without a hop to the actor.
    nonisolated let delivered = Mutex<Int64>(0)

    init(logger: Logger) {
        self.logger = logger
    }

    /// Numbers one broadcast and sends it to every transport after all earlier ones; returns
    /// once it has been handed to every transport.
    @discardableResult
    func send(
        _ data: Value, encode: @escaping @Sendable (Value, Int64) throws -> [UInt8],
        transports: [any ServerTransport]
    ) async -> Int64 {
        counter += 1
        let id = counter
        let previous = last
        let logger = self.logger
        let task = Task {
            defer { self.delivered.withLock { $0 = max($0, id) } }
            await previous?.value
            let bytes: [UInt8]
            do {
                bytes = try encode(data, id)
            } catch {
                logger.error("cannot encode broadcast \(id): \(error)")
                return
            }
            for transport in transports {
                do {
                    try await transport.broadcast(bytes, msgid: id)
                } catch {
                    logger.error("broadcast \(id) failed on a transport: \(error)")
                }
            }
        }
        last = task
        await task.value
        return id
    }

    /// Waits until every broadcast numbered so far has been sent.
    func drain() async {
        await last?.value
    }
}
