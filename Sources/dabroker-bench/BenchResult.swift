import Foundation

/// One row of the benchmark table (and of the JSON `results`).
struct BenchResult: Sendable {
    var name: String
    var transport: String
    var backend: String
    var p50: Double?
    var p99: Double?
    var floorP50: Double?
    var callsPerSecond: Double?
    /// Throughput rows: calls/s as a fraction of the raw echo-RPC calls/s.
    var throughputFraction: Double?
    var note: String?

    /// p50 divided by the floor's p50 (latency rows), or the throughput fraction.
    var ratio: Double? {
        if let throughputFraction { return throughputFraction }
        guard let floorP50, floorP50 > 0, let p50 else { return nil }
        return p50 / floorP50
    }

    var json: [String: Any] {
        var d: [String: Any] = ["name": name, "transport": transport, "backend": backend]
        d["p50_us"] = p50.map(Self.rounded) ?? NSNull()
        d["p99_us"] = p99.map(Self.rounded) ?? NSNull()
        d["floor_p50_us"] = floorP50.map(Self.rounded) ?? NSNull()
        d["ratio"] = ratio.map { Self.rounded($0 * 100) / 100 } ?? NSNull()
        d["calls_per_s"] = callsPerSecond.map { $0.rounded() } ?? NSNull()
        if let note { d["note"] = note }
        return d
    }

    static func rounded(_ x: Double) -> Double { (x * 100).rounded() / 100 }
}
