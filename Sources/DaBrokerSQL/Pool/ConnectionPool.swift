import DaBrokerCore

/// A bounded set of connections to one database, lent to one task at a time.
///
/// `acquire()` hands out an idle connection, opens a new one while fewer than
/// `maxConnections` are open, or waits; a wait longer than `acquireTimeout` throws
/// `DatabaseError(.unavailable, …)` (never hangs). A connection that sat idle for at least
/// `healthCheckAfterIdle` is checked (`isHealthy()`) before it is handed out and replaced if dead.
///
/// Time comes from the clock given to `init` (the continuous clock by default; tests pass a
/// manual one). One timer task per pool, running only while someone waits, times waiters out.
public actor ConnectionPool {
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

    public nonisolated let maxConnections: Int
    public nonisolated let acquireTimeout: Duration
    public nonisolated let healthCheckAfterIdle: Duration
    /// Names the database in error messages (no credentials).
    public nonisolated let name: String
    private let factory: Factory
    private let clock: ElapsedClock
    private var idle: [(connection: any DatabaseConnection, since: Duration)] = []
    private var openCount = 0
    private var waiters: [Waiter] = []
    private var nextWaiterID = 0
    /// Times waiters out; runs while `waiters` is not empty.
    private var timer: Task<Void, Never>?
    private var closed = false
    private var timeouts = 0

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
    public var open: Int { openCount }
    /// Connections open and not lent out.
    public var idleCount: Int { idle.count }
    /// Tasks waiting in `acquire()` for a connection.
    public var waitingCount: Int { waiters.count }
    /// Waits in `acquire()` that gave up after `acquireTimeout`, since the pool was made.
    public var acquireTimeouts: Int { timeouts }
    /// The numbers above read at one time (for metrics).
    public var statistics: (open: Int, idle: Int, waiting: Int, acquireTimeouts: Int) {
        (openCount, idle.count, waiters.count, timeouts)
    }

    /// Borrows a connection; give it back with `release` (or `discard` if it broke).
    public func acquire() async throws -> any DatabaseConnection {
        let deadline = clock.now() + acquireTimeout
        while true {
            switch try await grant(deadline: deadline) {
            case .connection(let c, let since):
                if clock.now() - since >= healthCheckAfterIdle, !(await c.isHealthy()) {
                    Task { await c.close() }
                    slotFreed()
                    continue
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
    }

    /// Borrows a connection only if one is idle or there is room to open one: never waits.
    /// For optional extra work (a second connection for side-by-side catalog reads).
    public func acquireIfFree() async throws -> (any DatabaseConnection)? {
        guard !closed else { return nil }
        while let e = idle.popLast() {
            if clock.now() - e.since >= healthCheckAfterIdle, !(await e.connection.isHealthy()) {
                Task { await e.connection.close() }
                slotFreed()
                continue
            }
            return e.connection
        }
        guard openCount < maxConnections else { return nil }
        openCount += 1
        do {
            return try await factory()
        } catch {
            slotFreed()
            throw error
        }
    }

    /// Returns a healthy connection to the pool.
    public func release(_ connection: any DatabaseConnection) {
        if closed {
            openCount -= 1
            Task { await connection.close() }
        } else if !waiters.isEmpty {
            let w = waiters.removeFirst()
            w.continuation.resume(returning: .connection(connection, idleSince: clock.now()))
        } else {
            idle.append((connection, clock.now()))
        }
    }

    /// Closes a broken connection and frees its place.
    public func discard(_ connection: any DatabaseConnection) {
        Task { await connection.close() }
        slotFreed()
    }

    /// Closes idle connections and fails waiters; connections still lent out close when released.
    public func close() async {
        closed = true
        let toClose = idle
        idle = []
        openCount -= toClose.count
        timer?.cancel()
        for w in waiters {
            w.continuation.resume(throwing: DatabaseError(.unavailable, "the connection pool of \(name) was closed"))
        }
        waiters = []
        for c in toClose { await c.connection.close() }
    }

    // MARK: private

    private func grant(deadline: Duration) async throws -> Grant {
        guard !closed else { throw DatabaseError(.unavailable, "the connection pool of \(name) is closed") }
        if let e = idle.popLast() { return .connection(e.connection, idleSince: e.since) }
        if openCount < maxConnections {
            openCount += 1
            return .slot
        }
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters.append(Waiter(id: id, continuation: continuation, deadline: deadline))
                if timer == nil { timer = Task { await self.timeOutWaiters() } }
            }
        } onCancel: {
            Task { await self.fail(id, CancellationError()) }
        }
    }

    /// The timer: sleeps until the earliest waiter's deadline, fails every waiter whose
    /// deadline has passed, and goes on until nobody waits (or the pool closes).
    private func timeOutWaiters() async {
        while let next = waiters.map(\.deadline).min() {
            do {
                try await clock.sleep(next)
            } catch {
                break  // cancelled: the pool closed
            }
            let now = clock.now()
            for w in waiters where w.deadline <= now {
                timeouts += 1
                fail(
                    w.id,
                    DatabaseError(
                        .unavailable,
                        "no connection to \(name) became free within \(acquireTimeout) "
                            + "(all \(maxConnections) in use); try again later"))
            }
        }
        timer = nil
    }

    private func fail(_ id: Int, _ error: any Error) {
        guard let i = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: i).continuation.resume(throwing: error)
    }

    /// One connection fewer: hand the room to the first waiter, or shrink.
    private func slotFreed() {
        if !closed, !waiters.isEmpty {
            waiters.removeFirst().continuation.resume(returning: .slot)
        } else {
            openCount -= 1
        }
    }
}
