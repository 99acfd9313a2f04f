/// Median and 99th percentile of sequential calls, printed by the latency tests (figures
/// only; no timing is asserted).
struct Latency: CustomStringConvertible {
    var label: String
    var samples: [Duration]

    static func measure(
        _ label: String, iterations: Int = 2000, warmup: Int = 200, _ call: () async throws -> Void
    ) async throws -> Latency {
        for _ in 0..<warmup { try await call() }
        let clock = ContinuousClock()
        var samples: [Duration] = []
        samples.reserveCapacity(iterations)
        for _ in 0..<iterations {
            let start = clock.now
            try await call()
            samples.append(clock.now - start)
        }
        return Latency(label: label, samples: samples.sorted())
    }

    var median: Duration { samples.isEmpty ? .zero : samples[samples.count / 2] }
    var p99: Duration {
        samples.isEmpty ? .zero : samples[min(samples.count - 1, Int((Double(samples.count) * 0.99).rounded(.up)) - 1)]
    }

    static func micros(_ d: Duration) -> Int {
        let (seconds, attos) = d.components
        return Int(seconds) * 1_000_000 + Int(attos / 1_000_000_000_000)
    }

    var description: String {
        "LATENCY \(label): n=\(samples.count) median=\(Self.micros(median)) µs p99=\(Self.micros(p99)) µs"
    }
}
