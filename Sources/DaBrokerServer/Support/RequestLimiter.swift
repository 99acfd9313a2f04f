import DequeModule
import Synchronization

/// Bounds how many requests run at once: the others wait, first come first served.
///
/// A lock rather than an actor: a free slot is taken without suspending, so a request that
/// runs on a transport's thread (``BrokerServer/handle(_:)`` under a task executor) does not
/// hop to another executor and back twice per request.
final class RequestLimiter: Sendable {
    private struct State {
        var running = 0
        var waiting: Deque<CheckedContinuation<Void, Never>> = []
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = limit }

    /// Waits for a free slot.
    func acquire() async {
        if tryAcquire() { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { s -> Bool in
                if s.running < limit {
                    s.running += 1
                    return true
                }
                s.waiting.append(continuation)
                return false
            }
            if admitted { continuation.resume() }
        }
    }

    private func tryAcquire() -> Bool {
        state.withLock { s in
            guard s.running < limit else { return false }
            s.running += 1
            return true
        }
    }

    /// How many requests wait for a slot.
    var waiters: Int { state.withLock { $0.waiting.count } }

    /// Frees a slot: the longest waiting request takes it.
    func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let first = s.waiting.popFirst() else {
                s.running -= 1
                return nil
            }
            return first
        }
        next?.resume()
    }
}
