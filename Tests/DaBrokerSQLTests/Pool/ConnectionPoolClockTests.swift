import DaBrokerSQL
import DaBrokerTestSupport
import Testing

/// The pool's acquire timeout on a manual clock: no test sleeps, and one timer serves all
/// waiters.
@Suite("Connection pool timing")
struct ConnectionPoolClockTests {
    static func pool(_ clock: ManualClock, max: Int = 1) -> ConnectionPool {
        ConnectionPool(
            name: "sqlite::memory:", maxConnections: max, acquireTimeout: .seconds(30),
            healthCheckAfterIdle: .seconds(60),
            clock: clock, factory: { try await SQLiteConnection.connect(url: "sqlite::memory:") })
    }

    /// Waits (without a time bound on the happy path) until `condition` holds.
    static func waitUntil(_ condition: () async -> Bool) async {
        while !(await condition()) { await Task.yield() }
    }

    @Test func aWaiterTimesOutWhenItsClockDeadlinePasses() async throws {
        let clock = ManualClock()
        let pool = Self.pool(clock)
        let held = try await pool.acquire()
        let waiter = Task { try await pool.acquire() }
        let second = Task { try await pool.acquire() }
        await Self.waitUntil { pool.waitingCount == 2 && clock.sleepers == 1 }  // one timer for both
        clock.advance(by: .seconds(29))
        await Self.waitUntil { clock.sleepers == 1 }  // not yet: the timer sleeps again
        clock.advance(by: .seconds(1))
        for task in [waiter, second] {
            await #expect(throws: (any Error).self) { try await task.value }
        }
        #expect(clock.sleepers == 0, "the timer ends once nobody waits")
        pool.release(held)
        await pool.close()
    }

    @Test func aReleaseReachesTheWaiterBeforeItsDeadline() async throws {
        let clock = ManualClock()
        let pool = Self.pool(clock)
        let held = try await pool.acquire()
        let waiter = Task { try await pool.acquire() }
        await Self.waitUntil { pool.waitingCount == 1 && clock.sleepers == 1 }
        clock.advance(by: .seconds(10))
        pool.release(held)
        let got = try await waiter.value
        #expect(got === held)
        clock.advance(by: .seconds(30))  // past the old deadline: nothing left to time out
        await Self.waitUntil { clock.sleepers == 0 }
        pool.release(got)
        #expect(pool.open == 1)
        await pool.close()
    }
}
