import CLibPQ
import Foundation
import Synchronization

/// Cancels the statement a PostgreSQL connection is running when the task awaiting it is
/// cancelled.
///
/// `PQcancel` opens a network connection of its own, so it is sent from a short-lived thread,
/// never from the cooperative pool; and only while that very statement runs (the lock is held
/// while sending, and the connection's thread takes it to finish a statement), so a late
/// cancel never hits the next statement. Statements that have not started are not refused:
/// a cancelled task must still be able to `ROLLBACK`.
final class PostgresCanceller: Sendable {
    private struct State {
        /// libpq's `PGcancel` for the connection, as its address: libpq documents `PQcancel` as
        /// safe to call from any thread with it, which an `OpaquePointer` cannot express.
        var handle: UInt?
        var nextJob: UInt64 = 0
        /// The statement now running on the connection's thread.
        var running: UInt64?
        /// The statement a cancel request was sent for.
        var cancelled: UInt64?
    }

    private let state = Mutex(State())

    deinit {
        state.withLock { s in PQfreeCancel(s.handle.flatMap { OpaquePointer(bitPattern: $0) }) }
    }

    /// Takes the cancel handle of a freshly opened connection (on its thread).
    func install(from conn: OpaquePointer) {
        let handle = PQgetCancel(conn).map { UInt(bitPattern: $0) }
        state.withLock { s in
            PQfreeCancel(s.handle.flatMap { OpaquePointer(bitPattern: $0) })
            s.handle = handle
        }
    }

    /// Drops the cancel handle (the connection is closing).
    func uninstall() {
        state.withLock { s in
            PQfreeCancel(s.handle.flatMap { OpaquePointer(bitPattern: $0) })
            s.handle = nil
        }
    }

    /// A number for the next statement.
    func newJob() -> UInt64 {
        state.withLock { s in
            s.nextJob += 1
            return s.nextJob
        }
    }

    /// Runs statement `job` (on the connection's thread) so that `cancel(job)` can reach it; a
    /// statement ended by such a cancel throws `CancellationError`.
    func running<T>(_ job: UInt64, _ body: () throws -> T) throws -> T {
        begin(job)
        return try end(job, Result { try body() }).get()
    }

    /// Statement `job` is sent: from now on `cancel(job)` reaches it, until ``end(_:_:)``.
    func begin(_ job: UInt64) {
        state.withLock { $0.running = job }
    }

    /// Statement `job` is over with `result`: the result, or `CancellationError` if a cancel
    /// ended it.
    func end<T>(_ job: UInt64, _ result: Result<T, any Error>) -> Result<T, any Error> {
        let wasCancelled = state.withLock { s in
            s.running = nil
            defer { s.cancelled = nil }
            return s.cancelled == job
        }
        if wasCancelled, case .failure(let e as DatabaseError) = result, e.kind == .timeout {
            return .failure(CancellationError())
        }
        return result
    }

    /// Asks the server to cancel statement `job` if it is running (from any thread; returns at once).
    func cancel(_ job: UInt64) {
        let isRunning = state.withLock { $0.running == job && $0.handle != nil }
        guard isRunning else { return }
        Thread.detachNewThread { [self] in
            state.withLock { s in
                guard s.running == job, let h = s.handle.flatMap({ OpaquePointer(bitPattern: $0) }) else { return }
                var message = [CChar](repeating: 0, count: 256)
                if PQcancel(h, &message, 256) != 0 { s.cancelled = job }
            }
        }
    }
}
