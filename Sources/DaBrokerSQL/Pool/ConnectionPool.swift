import DaBrokerCore
import Synchronization

/// A bounded set of connections to one database, lent to one task at a time.
///
/// `acquire()` hands out an idle connection, opens a new one while fewer than
/// `maxConnections` are open, or waits; a wait longer than `acquireTimeout` throws
/// `DatabaseError(.unavailable, …)` (never hangs). A connection that sat idle for at least
/// `healthCheckAfterIdle` is checked (`isHealthy()`) before it is handed out and replaced if dead.
///
/// Time comes from the clock given to `init` (the continuous clock by default; tests pass a
/// manual one). One timer task per pool, running only while someone waits, times waiters out.
///
/// A lock rather than an actor: every statement borrows and returns a connection, and taking an
/// idle one must not cost two executor hops.
public final class ConnectionPool: Sendable {
    /// Opens one new connection.
    public typealias Factory = @Sendable () async throws -> any DatabaseConnection

    private enum Grant {
        case connection(any DatabaseConnection, idleSince: Duration)
        /// Room for one more connection: the receiver opens it.
        case slot
    }

    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Grant, any Error>
        /// When the waiter gives up, on `clock`.
        var deadline: Duration
    }

    private struct State {
        var idle: [(connection: any DatabaseConnection, since: Duration)] = []
        var openCount = 0
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        /// Times waiters out; runs while `waiters` is not empty.
        var timer: Task<Void, Never>?
        var closed = false
        var timeouts = 0

        /// The idle connection to lend: the most recently returned one whose thread is not
        /// busy (a request that gave it back may still be encoding its reply there), else the
        /// most recently returned one.
        mutating func takeIdle() -> (connection: any DatabaseConnection, since: Duration)? {
            if let i = idle.lastIndex(where: { !$0.connection.isBusy }) { return idle.remove(at: i) }
            return idle.popLast()
        }
    }

    public let maxConnections: Int
    public let acquireTimeout: Duration
    public let healthCheckAfterIdle: Duration
    /// Names the database in error messages (no credentials).
    public let name: String
    private let factory: Factory
    private let clock: ElapsedClock
    private let state = Mutex(State())

    /// A pool of at most `maxConnections` connections made by `factory`, timed by `clock`.
    public init(
        name: String, maxConnections: Int, acquireTimeout: Duration, healthCheckAfterIdle: Duration,
        clock: some Clock<Duration> = ContinuousClock(), factory: @escaping Factory
    ) {
        self.clock = ElapsedClock(clock)
        self.name = name
        self.maxConnections = max(1, maxConnections)
        self.acquireTimeout = acquireTimeout
        self.healthCheckAfterIdle = healthCheckAfterIdle
        self.factory = factory
    }

    /// Connections currently open (lent out or idle).
    public var open: Int { state.withLock { $0.openCount } }
    /// Connections open and not lent out.
    public var idleCount: Int { state.withLock { $0.idle.count } }
    /// Tasks waiting in `acquire()` for a connection.
    public var waitingCount: Int { state.withLock { $0.waiters.count } }
    /// Waits in `acquire()` that gave up after `acquireTimeout`, since the pool was made.
    public var acquireTimeouts: Int { state.withLock { $0.timeouts } }
    /// The numbers above read at one time (for metrics).
    public var statistics: (open: Int, idle: Int, waiting: Int, acquireTimeouts: Int) {
        state.withLock { ($0.openCount, $0.idle.count, $0.waiters.count, $0.timeouts) }
    }

    /// Borrows a connection; give it back with `release` (or `discard` if it broke).
    public func acquire() async throws -> any DatabaseConnection {
        let deadline = clock.now() + acquireTimeout
        while true {
            if let c = try await take(try await grant(deadline: deadline)) { return c }
        }
    }

    /// Borrows a connection only if one is idle or there is room to open one: never waits.
    /// For optional extra work (a second connection for side-by-side catalog reads).
    public func acquireIfFree() async throws -> (any DatabaseConnection)? {
        while true {
            let grant = state.withLock { s -> Grant? in
                guard !s.closed else { return nil }
                if let e = s.takeIdle() { return .connection(e.connection, idleSince: e.since) }
                guard s.openCount < maxConnections else { return nil }
                s.openCount += 1
                return .slot
            }
            guard let grant else { return nil }
            if let c = try await take(grant) { return c }
        }
    }

    /// Returns a healthy connection to the pool.
    public func release(_ connection: any DatabaseConnection) {
        let now = clock.now()
        let (waiter, close) = state.withLock { s -> (Waiter?, Bool) in
            if s.closed {
                s.openCount -= 1
                return (nil, true)
            }
            if !s.waiters.isEmpty { return (s.waiters.removeFirst(), false) }
            s.idle.append((connection, now))
            return (nil, false)
        }
        if close { Task { await connection.close() } }
        waiter?.continuation.resume(returning: .connection(connection, idleSince: now))
    }

    /// Closes a broken connection and frees its place.
    public func discard(_ connection: any DatabaseConnection) {
        Task { await connection.close() }
        slotFreed()
    }

    /// Closes idle connections and fails waiters; connections still lent out close when released.
    public func close() async {
        let (toClose, waiters, timer) = state.withLock { s in
            s.closed = true
            let idle = s.idle
            s.idle = []
            s.openCount -= idle.count
            defer { s.waiters = [] }
            return (idle, s.waiters, s.timer)
        }
        timer?.cancel()
        for w in waiters {
            w.continuation.resume(throwing: DatabaseError(.unavailable, "the connection pool of \(name) was closed"))
        }
        for c in toClose { await c.connection.close() }
    }

    // MARK: private

    /// The connection `grant` gives: the idle one if it is healthy, or a new one in the room
    /// granted; nil when the idle one was dead (its room is freed; ask again).
    private func take(_ grant: Grant) async throws -> (any DatabaseConnection)? {
        switch grant {
        case .connection(let c, let since):
            if clock.now() - since >= healthCheckAfterIdle, !(await c.isHealthy()) {
                Task { await c.close() }
                slotFreed()
                return nil
            }
            return c
        case .slot:
            do {
                return try await factory()
            } catch {
                slotFreed()
                throw error
            }
        }
    }

    private func grant(deadline: Duration) async throws -> Grant {
        // Without suspending when a connection or room is free.
        let now = state.withLock { s -> Result<Grant, any Error>? in
            if s.closed { return .failure(DatabaseError(.unavailable, "the connection pool of \(name) is closed")) }
            if let e = s.takeIdle() { return .success(.connection(e.connection, idleSince: e.since)) }
            guard s.openCount < maxConnections else { return nil }
            s.openCount += 1
            return .success(.slot)
        }
        if let now { return try now.get() }
        let id = state.withLock { s in
            defer { s.nextWaiterID += 1 }
            return s.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // Again under the lock: a connection may have come back since.
                let now = state.withLock { s -> Result<Grant, any Error>? in
                    if s.closed {
                        return .failure(DatabaseError(.unavailable, "the connection pool of \(name) is closed"))
                    }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if let e = s.takeIdle() { return .success(.connection(e.connection, idleSince: e.since)) }
                    if s.openCount < maxConnections {
                        s.openCount += 1
                        return .success(.slot)
                    }
                    s.waiters.append(Waiter(id: id, continuation: continuation, deadline: deadline))
                    if s.timer == nil { s.timer = Task { await self.timeOutWaiters() } }
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            fail(id, CancellationError())
        }
    }

    /// The timer: sleeps until the earliest waiter's deadline, fails every waiter whose
    /// deadline has passed, and goes on until nobody waits (or the pool closes).
    private func timeOutWaiters() async {
        while true {
            let next = state.withLock { s -> Duration? in
                guard !s.closed, let next = s.waiters.map(\.deadline).min() else {
                    s.timer = nil
                    return nil
                }
                return next
            }
            guard let next else { return }
            do {
                try await clock.sleep(next)
            } catch {
                return  // cancelled: the pool closed
            }
            let now = clock.now()
            let expired = state.withLock { s -> [Waiter] in
                let expired = s.waiters.filter { $0.deadline <= now }
                s.waiters.removeAll { $0.deadline <= now }
                s.timeouts += expired.count
                return expired
            }
            let error = DatabaseError(
                .unavailable,
                "no connection to \(name) became free within \(acquireTimeout) "
                    + "(all \(maxConnections) in use); try again later")
            for w in expired { w.continuation.resume(throwing: error) }
        }
    }

    private func fail(_ id: Int, _ error: any Error) {
        let waiter = state.withLock { s -> Waiter? in
            guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return s.waiters.remove(at: i)
        }
        waiter?.continuation.resume(throwing: error)
    }

    /// One connection fewer: hand the room to the first waiter, or shrink.
    private func slotFreed() {
        let waiter = state.withLock { s -> Waiter? in
            if !s.closed, !s.waiters.isEmpty { return s.waiters.removeFirst() }
            s.openCount -= 1
            return nil
        }
        waiter?.continuation.resume(returning: .slot)
    }
}
