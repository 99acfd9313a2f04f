import DaBrokerCore
import Foundation
import Synchronization

/// A thread of its own for one driver connection: blocking C calls run here, one job at a
/// time, never on Swift's cooperative pool.
///
/// `State` (the C handle and everything that goes with it) is made on this thread and handed
/// to jobs running on it, or lent, while the thread is idle, to one other thread at a time
/// (``borrow()``); so it is never used by two threads at once, needs no locking and need not
/// be `Sendable`.
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
        /// The thread is running jobs taken from `jobs` (and the tasks that carry on after them).
        var running = false
        /// Another thread uses the state (``borrow()``): queued jobs wait until it is back.
        var lent = false
    }

    /// Jobs not yet taken by the thread, and whether `stop()` was called.
    private let queue = Mutex(Queue())
    /// Signalled once per job queued and once by `stop()`; the thread waits on it when idle.
    private let wake = DispatchSemaphore(value: 0)
    private let makeState: @Sendable () -> State
    /// Set while the thread runs jobs (and the request tasks that carry on after them).
    private let working = Atomic<Bool>(false)
    private let finish: @Sendable (State) -> Void
    /// Statements that did without this thread: answered in another thread's `poll`, or run
    /// briefly there (`DriverThread+Watch.swift`).
    let watched = Atomic<Int>(0)
    /// The state, made on the thread, for ``borrow()``.
    private let lendable = Lendable()

    /// Holds the state for ``borrow()``.
    ///
    /// `@unchecked Sendable` because `State` is not: the thread sets `state` before it first
    /// takes the queue's lock and clears it after its last; other threads read it only in
    /// ``borrow()``, after that lock said the thread is idle and marked the state lent. The
    /// lock orders those accesses, and the `lent` mark keeps the thread off the state until
    /// ``giveBack(then:)``.
    private final class Lendable: @unchecked Sendable {
        var state: State?
    }

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

    /// The state, for the calling thread to use instead of this one until ``giveBack(then:)``;
    /// `nil` unless this thread is idle with nothing queued. Meanwhile jobs queued here wait.
    ///
    /// For a caller that waits for the driver's socket in its own `poll` (``DescriptorWatch``):
    /// the state is then never used by two threads at once, as it would not be by jobs here.
    func borrow() -> State? {
        let lent = queue.withLock { q in
            guard !q.stopping, !q.running, !q.lent, q.jobs.isEmpty else { return false }
            q.lent = true
            return true
        }
        guard lent else { return nil }
        guard let state = lendable.state else {
            giveBack()
            return nil
        }
        return state
    }

    /// Ends a ``borrow()``; `then`, if given, runs here before any job queued meanwhile.
    func giveBack(then job: (@Sendable (State) -> Void)? = nil) {
        let wake = queue.withLock { q in
            q.lent = false
            if let job { q.jobs.insert(job, at: 0) }
            return !q.jobs.isEmpty || q.stopping
        }
        if wake { self.wake.signal() }
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
        lendable.state = state
        let local = LocalJobs.adopt(for: self)
        local.context = state
        while true {
            let (jobs, stopping) = queue.withLock { q -> ([@Sendable (State) -> Void], Bool) in
                if q.lent { return ([], false) }
                defer { q.jobs.removeAll() }
                q.running = !q.jobs.isEmpty
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
            queue.withLock { $0.running = false }
        }
        queue.withLock { _ in lendable.state = nil }
        local.leave()
        finish(state)
    }
}
