/// Any `Clock` measured in `Duration`, its instants kept as the time since it was wrapped, so
/// that code which waits (the connection pool, the client's read-your-writes watermark, the
/// AMQP client's call timers) takes an injected clock without a generic parameter: the
/// process's continuous clock in production, a test's `ManualClock` in tests.
package struct ElapsedClock: Sendable {
    /// The time since the clock was wrapped.
    package let now: @Sendable () -> Duration
    /// Sleeps until `now()` reaches the given value; throws when the task is cancelled.
    package let sleep: @Sendable (_ until: Duration) async throws -> Void

    package init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        now = { origin.duration(to: clock.now) }
        sleep = { until in try await clock.sleep(until: origin.advanced(by: until), tolerance: nil) }
    }
}
