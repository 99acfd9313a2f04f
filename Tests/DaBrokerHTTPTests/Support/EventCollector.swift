import DaBrokerCore
import DaBrokerTestSupport

/// Drains a client transport's events into a list that tests can wait on.
final class EventCollector: Sendable {
    enum Seen: Equatable, Sendable {
        case broadcast(String)
        case resynchronize
    }

    private let seen = SharedMutex<[Seen]>([])
    private let task: Task<Void, Never>

    init(_ events: AsyncStream<TransportEvent>) {
        let seen = self.seen
        task = Task {
            for await event in events {
                switch event {
                case .broadcast(let bytes):
                    seen.withLock { $0.append(.broadcast(String(decoding: bytes, as: UTF8.self))) }
                case .resynchronize: seen.withLock { $0.append(.resynchronize) }
                }
            }
        }
    }

    var events: [Seen] { seen.withLock { $0 } }

    /// Waits until `count` events were seen (or `timeout` passed) and returns them all.
    @discardableResult
    func wait(for count: Int, timeout: Duration = .seconds(10)) async -> [Seen] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, events.count < count {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return events
    }

    func cancel() { task.cancel() }
}
