import DaBrokerCore
import Foundation
import Synchronization

/// A thread of its own for one driver connection: blocking C calls run here, one job at a
/// time, never on Swift's cooperative pool.
///
/// `State` (the C handle and everything that goes with it) is made on this thread and only
/// ever handed to jobs running on it, so it needs no locking and need not be `Sendable`.
/// Callers `await run { state in … }`; the calling task suspends (its thread is free) until
/// the job has run.
///
/// The thread runs ``InPlaceExecutor`` jobs too: a request task that waited here carries on
/// here once its statement is done, and the statements it then runs on this connection run
/// at once, without a hand-off (`docs/architecture.md`, "One request, transport to driver
/// and back", step 5).
final class DriverThread<State: AnyObject>: Sendable {
    private struct Queue {
        var jobs: [@Sendable (State) -> Void] = []
        var stopping = false
    }

    /// Jobs not yet taken by the thread, and whether `stop()` was called.
    private let queue = Mutex(Queue())
    /// Signalled once per job queued and once by `stop()`; the thread waits on it when idle.
    private let wake = DispatchSemaphore(value: 0)
    private let makeState: @Sendable () -> State
    /// Set while the thread runs jobs (and the request tasks that carry on after them).
    private let working = Atomic<Bool>(false)
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
        if let local = LocalJobs.current, local.owner == ObjectIdentifier(self), let state = local.context as? State {
            // A task carrying on here: nothing else uses the connection meanwhile (its jobs
            // run one at a time on this thread, and the pool lends it to one task at a time).
            guard !queue.withLock({ $0.stopping }) else { throw DatabaseError.closed(what) }
            return try body(state)
        }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = enqueue { state in
                continuation.resume(with: Result { try body(state) })
            }
            if !accepted {
                continuation.resume(throwing: DatabaseError.closed(what))
            }
        }
    }

    /// Whether the thread is running work now (a hint: it may finish at any moment).
    var isBusy: Bool { working.load(ordering: .relaxed) }

    /// Lets queued jobs finish, then runs `finish` and ends the thread. Later `run` calls throw.
    func stop() {
        queue.withLock { $0.stopping = true }
        wake.signal()
    }

    private func enqueue(_ job: @escaping @Sendable (State) -> Void) -> Bool {
        let accepted = queue.withLock { q in
            if q.stopping { return false }
            q.jobs.append(job)
            return true
        }
        if accepted { wake.signal() }
        return accepted
    }

    /// Runs every job queued, in order, until `stop()` was called and nothing is left; waits
    /// on `wake` only when there is nothing to do (a stale signal costs one empty turn).
    private func loop() {
        let state = makeState()
        let local = LocalJobs.adopt(for: self)
        local.context = state
        while true {
            let (jobs, stopping) = queue.withLock { q in
                defer { q.jobs.removeAll() }
                return (q.jobs, q.stopping)
            }
            if jobs.isEmpty {
                if stopping { break }
                working.store(false, ordering: .relaxed)
                wake.wait()
                continue
            }
            working.store(true, ordering: .relaxed)
            for job in jobs {
                job(state)
                local.runAll()
            }
        }
        local.leave()
        finish(state)
    }
}
