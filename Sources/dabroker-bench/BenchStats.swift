/// Latency sampling: sequential calls timed one by one, reported as p50 / p99 in microseconds.
enum BenchStats {
    /// Microseconds in `d`.
    static func micros(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) * 1_000_000 + Double(atto) / 1e12
    }

    /// The 50th and 99th percentile of `samples` (any unit).
    static func percentiles(_ samples: [Double]) -> (p50: Double, p99: Double) {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return (0, 0) }
        func at(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
        return (at(0.5), at(0.99))
    }

    /// Runs `body` `warmUp` times untimed, then `calls` times timed; p50 / p99 in µs.
    static func latency(calls: Int, warmUp: Int, _ body: () async throws -> Void) async throws -> (
        p50: Double, p99: Double
    ) {
        try await latency(calls: calls, warmUp: warmUp, setup: {}, body: body)
    }

    /// As ``latency(calls:warmUp:_:)``, with an untimed `setup` before every call.
    static func latency(
        calls: Int, warmUp: Int, setup: () async throws -> Void, body: () async throws -> Void
    ) async throws -> (p50: Double, p99: Double) {
        _ = try await samples(warmUp, setup: setup, body: body)
        return percentiles(try await samples(calls, setup: setup, body: body))
    }

    /// The times (µs) of `n` runs of `body`, each after an untimed `setup`.
    static func samples(
        _ n: Int, setup: () async throws -> Void = {}, body: () async throws -> Void
    ) async throws -> [Double] {
        let clock = ContinuousClock()
        var samples: [Double] = []
        samples.reserveCapacity(n)
        for _ in 0..<n {
            try await setup()
            let start = clock.now
            try await body()
            samples.append(micros(clock.now - start))
        }
        return samples
    }

    /// For sub-microsecond operations: times batches of `batch` calls and reports the
    /// per-call time of the median and 99th-percentile batch, in µs.
    static func batchedLatency(batches: Int, batch: Int, _ body: () async throws -> Void) async throws -> (
        p50: Double, p99: Double
    ) {
        for _ in 0..<batch { try await body() }
        let clock = ContinuousClock()
        var samples: [Double] = []
        samples.reserveCapacity(batches)
        for _ in 0..<batches {
            let start = clock.now
            for _ in 0..<batch { try await body() }
            samples.append(micros(clock.now - start) / Double(batch))
        }
        return percentiles(samples)
    }

    /// Calls per second with `callers` concurrent tasks each running `body(caller)` in a loop
    /// for `duration` (after a short untimed warm-up).
    static func throughput(
        callers: Int, duration: Duration, _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws -> Double {
        let clock = ContinuousClock()
        let warmEnd = clock.now + .milliseconds(100)
        let end = warmEnd + duration
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for caller in 0..<callers {
                group.addTask {
                    var n = 0
                    while true {
                        let now = clock.now
                        if now >= end { break }
                        try await body(caller)
                        if now >= warmEnd { n += 1 }
                    }
                    return n
                }
            }
            var total = 0
            for try await n in group { total += n }
            return total
        }
        return Double(counts) / (micros(duration) / 1_000_000)
    }

    /// Samples of several runs taken side by side: `rounds` rounds, each giving every run
    /// `untimed + timed` calls in turn (in order in even rounds, reversed in odd ones, so that
    /// each is first as often as last) and keeping the times (µs) of the timed ones. Each run
    /// makes the number of calls it is given and returns their times.
    static func inRounds(
        _ rounds: Int, timed: Int, untimed: Int, _ runs: [(Int) async throws -> [Double]]
    ) async throws -> [[Double]] {
        var collected = [[Double]](repeating: [], count: runs.count)
        for round in 0..<rounds {
            for index in round % 2 == 0 ? Array(runs.indices) : runs.indices.reversed() {
                collected[index] += try await runs[index](untimed + timed).dropFirst(untimed)
            }
        }
        return collected
    }

    /// Latencies of several bodies sampled side by side (``inRounds(_:timed:untimed:_:)``):
    /// `rounds` rounds of `calls / rounds` timed calls each after `warmUp / rounds` untimed
    /// ones; p50 and p99 per body, in µs.
    static func alternating(
        calls: Int, warmUp: Int, rounds: Int = 10, _ bodies: [() async throws -> Void]
    ) async throws -> [(p50: Double, p99: Double)] {
        let rounds = max(1, min(rounds, calls))
        let runs = bodies.map { body in { (n: Int) in try await samples(n, body: body) } }
        return try await inRounds(rounds, timed: max(1, calls / rounds), untimed: warmUp / rounds, runs)
            .map(percentiles)
    }

    /// A subject's latency and its floor, sampled side by side (``inRounds(_:timed:untimed:_:)``:
    /// the subject first in even rounds, last in odd ones), `calls / rounds` timed calls each
    /// after `warmUp / rounds` untimed ones. Each closure runs the number of calls it is given
    /// and returns their times in µs. The floor's p50 is the sum of its parts' p50s, as for the
    /// standalone floor rows.
    static func paired(
        calls: Int, warmUp: Int, rounds: Int = 10, subject: @escaping (Int) async throws -> [Double],
        floor parts: [(Int) async throws -> [Double]]
    ) async throws -> (subject: (p50: Double, p99: Double), floor: Double) {
        let rounds = max(1, min(rounds, calls))
        let samples = try await inRounds(
            rounds, timed: max(1, calls / rounds), untimed: warmUp / rounds, [subject] + parts)
        return (percentiles(samples[0]), samples.dropFirst().reduce(0) { $0 + percentiles($1).p50 })
    }
}
