/// Iteration counts and durations of one run: small in `--short` (CI) mode.
struct BenchSettings: Sendable {
    var short: Bool
    /// Timed sequential calls per latency row (after `warmUp` untimed ones).
    var calls: Int { short ? 150 : 2000 }
    var warmUp: Int { short ? 20 : 200 }
    /// Batches of 100 for the sub-microsecond cached get.
    var batches: Int { short ? 200 : 2000 }
    /// Invalidation round trips timed.
    var invalidations: Int { short ? 40 : 500 }
    /// How long each throughput point runs.
    var throughputDuration: Duration { short ? .milliseconds(300) : .seconds(3) }
    var concurrency: [Int] { [1, 4, 16, 64] }
    /// Rows in `bench_item`; the client memory figure caches this many objects.
    var rows: Int { 10_000 }
}
