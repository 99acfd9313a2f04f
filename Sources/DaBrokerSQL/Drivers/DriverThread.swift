import Foundation

/// A thread of its own for one driver connection: blocking C calls run here, one job at a
/// time, never on Swift's cooperative pool.
///
/// `State` (the C handle and everything that goes with it) is made on this thread and only
/// ever handed to jobs running on it, so it needs no locking and need not be `Sendable`.
/// Callers `await run { state in … }`; the calling task suspends (its thread is free) until
/// the job has run.
final class DriverThread<State: AnyObject>: @unchecked Sendable {
    // Why `@unchecked Sendable` is safe: the mutable fields `jobs` and `stopping` are only read
    // or written while holding `condition`'s lock; `makeState`/`finish` are `@Sendable`; and the
    // `State` object is created, used and finished exclusively on the one thread started in
    // `init` (jobs run there strictly one after another), so it is never shared between threads.
    private let condition = NSCondition()
    private var jobs: [@Sendable (State) -> Void] = []
    private var stopping = false
    private let makeState: @Sendable () -> State
    private let finish: @Sendable (State) -> Void

    /// Starts the thread. `makeState` runs first on it, `finish` last (after `stop()` and once
    /// every queued job has run).
    init(
        name: String, makeState: @escaping @Sendable () -> State,
        finish: @escaping @Sendable (State) -> Void
    ) {
        self.makeState = makeState
        self.finish = finish
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the connection's thread and returns its result; throws `.closed` when
    /// the thread was stopped.
    func run<T: Sendable>(_ what: String, _ body: @escaping @Sendable (State) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = enqueue { state in
                continuation.resume(with: Result { try body(state) })
            }
            if !accepted {
                continuation.resume(throwing: DatabaseError.closed(what))
            }
        }
    }

    /// Lets queued jobs finish, then runs `finish` and ends the thread. Later `run` calls throw.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func enqueue(_ job: @escaping @Sendable (State) -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if stopping { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    private func loop() {
        let state = makeState()
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                break
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job(state)
        }
        finish(state)
    }
}
