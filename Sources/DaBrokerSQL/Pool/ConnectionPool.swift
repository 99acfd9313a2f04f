import DaBrokerCore

/// A bounded set of connections to one database, lent to one task at a time.
///
/// `acquire()` hands out an idle connection, opens a new one while fewer than
/// `maxConnections` are open, or waits; a wait longer than `acquireTimeout` throws
/// `BrokerError(.unavailable, …)` (never hangs). A connection that sat idle for at least
/// `healthCheckAfterIdle` is checked (`isHealthy()`) before it is handed out and replaced if dead.
public actor ConnectionPool {
    /// Opens one new connection.
    public typealias Factory = @Sendable () async throws -> any DatabaseConnection

    private enum Grant {
        case connection(any DatabaseConnection, idleSince: ContinuousClock.Instant)
        /// Room for one more connection: the receiver opens it.
        case slot
    }

    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Grant, any Error>
        var timer: Task<Void, Never>?
    }

    public nonisolated let maxConnections: Int
    public nonisolated let acquireTimeout: Duration
    public nonisolated let healthCheckAfterIdle: Duration
    /// Names the database in error messages (no credentials).
    public nonisolated let name: String
    private let factory: Factory
    private var idle: [(connection: any DatabaseConnection, since: ContinuousClock.Instant)] = []
    private var openCount = 0
    private var waiters: [Waiter] = []
    private var nextWaiterID = 0
    private var closed = false

    public init(
        name: String, maxConnections: Int, acquireTimeout: Duration, healthCheckAfterIdle: Duration,
        factory: @escaping Factory
    ) {
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

    /// Borrows a connection; give it back with `release` (or `discard` if it broke).
    public func acquire() async throws -> any DatabaseConnection {
        let deadline = ContinuousClock.now + acquireTimeout
        while true {
            switch try await grant(deadline: deadline) {
            case .connection(let c, let since):
                if ContinuousClock.now - since >= healthCheckAfterIdle, !(await c.isHealthy()) {
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
            if ContinuousClock.now - e.since >= healthCheckAfterIdle, !(await e.connection.isHealthy()) {
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
            w.timer?.cancel()
            w.continuation.resume(returning: .connection(connection, idleSince: .now))
        } else {
            idle.append((connection, .now))
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
        for w in waiters {
            w.timer?.cancel()
            w.continuation.resume(throwing: BrokerError.unavailable("the connection pool of \(name) was closed"))
        }
        waiters = []
        for c in toClose { await c.connection.close() }
    }

    // MARK: private

    private func grant(deadline: ContinuousClock.Instant) async throws -> Grant {
        guard !closed else { throw BrokerError.unavailable("the connection pool of \(name) is closed") }
        if let e = idle.popLast() { return .connection(e.connection, idleSince: e.since) }
        if openCount < maxConnections {
            openCount += 1
            return .slot
        }
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let timer = Task { [weak self] in
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    guard !Task.isCancelled else { return }
                    await self?.timeOut(id)
                }
                waiters.append(Waiter(id: id, continuation: continuation, timer: timer))
            }
        } onCancel: {
            Task { await self.fail(id, CancellationError()) }
        }
    }

    private func timeOut(_ id: Int) {
        fail(
            id,
            BrokerError.unavailable(
                "no connection to \(name) became free within \(acquireTimeout) "
                    + "(all \(maxConnections) in use); try again later"))
    }

    private func fail(_ id: Int, _ error: any Error) {
        guard let i = waiters.firstIndex(where: { $0.id == id }) else { return }
        let w = waiters.remove(at: i)
        w.timer?.cancel()
        w.continuation.resume(throwing: error)
    }

    /// One connection fewer: hand the room to the first waiter, or shrink.
    private func slotFreed() {
        if !closed, !waiters.isEmpty {
            let w = waiters.removeFirst()
            w.timer?.cancel()
            w.continuation.resume(returning: .slot)
        } else {
            openCount -= 1
        }
    }
}
