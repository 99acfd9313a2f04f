import DaBrokerAMQP
import DaBrokerCore
import Foundation

/// `--profile N --profile-calls amqpparts`: the AMQP echo round trip taken apart. Raw C
/// callers and our `AMQPClientTransport` call raw C echo servers and our
/// `AMQPServerTransport` (answering each request as it came), in ten alternating rounds, so
/// that each side's share of the gateway's echo shows apart from the machine's drift.
/// `--profile-part ID` runs one part alone, for a profiler.
struct AMQPParts {
    var calls: Int
    var url: String
    var only: String?

    /// One way of making the round trip.
    private struct Part {
        var id: String
        var name: String
        var run: (Int) async throws -> [Double]
    }

    static let ids = [
        "raw-raw", "raw-raw-acked", "raw-raw-13k", "raw-ours", "ours-raw", "ours-inplace-raw", "ours-ours",
    ]

    func run() async throws {
        if let only, !Self.ids.contains(only) {
            throw BenchFailure("--profile-part must be one of \(Self.ids.joined(separator: ", "))")
        }
        let plain = try benchConfiguration(url)
        let acking = try benchConfiguration(url)
        let ours = try benchConfiguration(url)
        let stop = BenchFlag()
        try await Self.startRawServer(plain, acks: false, stop: stop)
        try await Self.startRawServer(acking, acks: true, stop: stop)
        let server = AMQPServerTransport(configuration: ours)
        try await server.start(handler: { $0 })
        let toRaw = AMQPClientTransport(configuration: plain)
        let toOurs = AMQPClientTransport(configuration: ours)
        do {
            try await toRaw.connect()
            try await toOurs.connect()
            try await measure(plain: plain, acking: acking, ours: ours, toRaw: toRaw, toOurs: toOurs)
        } catch {
            await Self.tearDown([toRaw, toOurs], server, stop, [plain, acking, ours])
            throw error
        }
        await Self.tearDown([toRaw, toOurs], server, stop, [plain, acking, ours])
    }

    private func measure(
        plain: AMQPConfiguration, acking: AMQPConfiguration, ours: AMQPConfiguration,
        toRaw: AMQPClientTransport, toOurs: AMQPClientTransport
    ) async throws {
        let small = #"{"data": {"_m": "echo", "_a": {"_o": "LIST", "_d": ["hi"]}}}"#
        // About the size of a find-50 reply (12,898 bytes), both ways.
        let large =
            #"{"data": {"_m": "echo", "_a": {"_o": "LIST", "_d": [""# + String(repeating: "x", count: 12_840)
            + #""]}}}"#
        let body = Array(small.utf8)
        func raw(_ c: AMQPConfiguration, _ text: String = small) -> (Int) async throws -> [Double] {
            { n in try await onBenchThread { try RawEcho.call(c, calls: n, bodies: [text]) }.map { $0 * 1000 } }
        }
        func client(_ t: AMQPClientTransport) -> (Int) async throws -> [Double] {
            { n in try await BenchStats.samples(n) { _ = try await t.call(body) } }
        }
        let parts = [
            Part(id: "raw-raw", name: "raw caller, raw server (the echo floor)", run: raw(plain)),
            Part(id: "raw-raw-acked", name: "raw caller, raw server acknowledging", run: raw(acking)),
            Part(id: "raw-raw-13k", name: "raw caller, raw server, 12,900 bytes each way", run: raw(plain, large)),
            Part(id: "raw-ours", name: "raw caller, our server", run: raw(ours)),
            Part(id: "ours-raw", name: "our client, raw server", run: client(toRaw)),
            Part(
                id: "ours-inplace-raw", name: "our client resumed on its I/O thread, raw server",
                run: { n in try await withTaskExecutorPreference(InPlaceExecutor.shared) { try await client(toRaw)(n) }
                }),
            Part(id: "ours-ours", name: "our client, our server (our transports, no dispatch)", run: client(toOurs)),
        ].filter { only == nil || $0.id == only }
        let perRound = max(10, calls / 10)
        let warmUp = 20
        var samples: [String: [Double]] = [:]
        for round in 0..<10 {
            for part in round % 2 == 0 ? parts : parts.reversed() {
                samples[part.id, default: []] += try await part.run(warmUp + perRound).dropFirst(warmUp)
            }
        }
        print("AMQP echo taken apart: \(perRound * 10) calls each, in 10 alternating rounds (µs)")
        for part in parts {
            let p = BenchStats.percentiles(samples[part.id] ?? [])
            let id = part.id.padding(toLength: 17, withPad: " ", startingAt: 0)
            print(id + String(format: "p50 %6.1f  p99 %6.1f  ", p.p50, p.p99) + part.name)
        }
    }

    /// Starts a raw echo server thread on `c`'s queue and waits until it consumes.
    private static func startRawServer(_ c: AMQPConfiguration, acks: Bool, stop: BenchFlag) async throws {
        let ready = BenchFlag()
        Thread { try? RawEcho.serve(c, ready: ready, stop: stop, acks: acks) }.start()
        let deadline = ContinuousClock.now + .seconds(10)
        while !ready.value.load(ordering: .acquiring) {
            guard ContinuousClock.now < deadline else { throw BenchFailure("the raw echo server did not start") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    private static func tearDown(
        _ clients: [AMQPClientTransport], _ server: AMQPServerTransport, _ stop: BenchFlag,
        _ configurations: [AMQPConfiguration]
    ) async {
        for client in clients { await client.close() }
        await server.stop()
        stop.value.store(true, ordering: .releasing)
        for c in configurations { _ = try? await onBenchThread { try RawEcho.deleteNames(c) } }
    }
}
