/// The connection pool's clock: any `Clock` measured in `Duration`, its instants kept as the
/// time since the pool was made, so the pool needs no generic parameter. The process's
/// continuous clock in production; a test's manual clock in tests.
struct PoolClock: Sendable {
    /// The time since the clock was wrapped.
    let now: @Sendable () -> Duration
    /// Sleeps until `now()` reaches the given value; throws when the task is cancelled.
    let sleep: @Sendable (_ until: Duration) async throws -> Void

    init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        now = { origin.duration(to: clock.now) }
        sleep = { until in try await clock.sleep(until: origin.advanced(by: until), tolerance: nil) }
    }
}
