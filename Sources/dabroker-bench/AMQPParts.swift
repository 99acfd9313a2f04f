import DaBrokerAMQP
import DaBrokerClient
import DaBrokerCore
import DaBrokerServer
import Foundation

/// `--profile N --profile-calls amqpparts`: the AMQP echo round trip taken apart. Raw C
/// callers and our `AMQPClientTransport` call raw C echo servers and our
/// `AMQPServerTransport` (answering each request as it came), in ten alternating rounds, so
/// that each side's share of the gateway's echo shows apart from the machine's drift.
/// The last three parts call a `BrokerServer` (no database), from a raw caller, from our
/// transport and from `BrokerClient`: what dispatch and the client add to the transports.
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

    func run() async throws {
        let plain = try benchConfiguration(url)
        let acking = try benchConfiguration(url)
        let ours = try benchConfiguration(url)
        let gateway = try benchConfiguration(url)
        let toRaw = AMQPClientTransport(configuration: plain)
        let toOurs = AMQPClientTransport(configuration: ours)
        let toGateway = AMQPClientTransport(configuration: gateway)
        let client = BrokerClient(transport: AMQPClientTransport(configuration: gateway))
        let all = Self.parts(
            plain: plain, acking: acking, ours: ours, gateway: gateway, toRaw: toRaw, toOurs: toOurs,
            toGateway: toGateway, brokerClient: client)
        let parts = all.filter { only == nil || $0.id == only }
        guard !parts.isEmpty else {
            throw BenchFailure("--profile-part must be one of \(all.map(\.id).joined(separator: ", "))")
        }
        let stop = BenchFlag()
        let server = AMQPServerTransport(configuration: ours)
        var broker: BrokerServer?
        func tearDown() async {
            await client.close()
            await broker?.stop()
            await Self.tearDown([toRaw, toOurs, toGateway], server, stop, [plain, acking, ours, gateway])
        }
        do {
            try await RawEcho.start(plain, stop: stop)
            try await RawEcho.start(acking, stop: stop, acks: true)
            try await server.start(handler: { $0 })
            broker = try await staticBrokerServer(gateway)
            try await toRaw.connect()
            try await toOurs.connect()
            try await toGateway.connect()
            try await client.connect()
            try await measure(parts)
        } catch {
            await tearDown()
            throw error
        }
        await tearDown()
    }

    private static func parts(
        plain: AMQPConfiguration, acking: AMQPConfiguration, ours: AMQPConfiguration, gateway: AMQPConfiguration,
        toRaw: AMQPClientTransport, toOurs: AMQPClientTransport, toGateway: AMQPClientTransport,
        brokerClient broker: BrokerClient
    ) -> [Part] {
        // About the size of a find-50 reply (12,898 bytes), both ways.
        let large =
            #"{"data": {"_m": "echo", "_a": {"_o": "LIST", "_d": [""# + String(repeating: "x", count: 12_840)
            + #""]}}}"#
        func raw(_ c: AMQPConfiguration, _ text: String = RawEcho.echoRequest) -> (Int) async throws -> [Double] {
            { n in try await RawEcho.callMicros(c, calls: n, bodies: [text]) }
        }
        func client(_ t: AMQPClientTransport, _ text: String = RawEcho.echoRequest) -> (Int) async throws -> [Double] {
            let body = Array(text.utf8)
            return { n in try await BenchStats.samples(n) { _ = try await t.call(body) } }
        }
        return [
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
            Part(id: "raw-ours-13k", name: "raw caller, our server, 12,900 bytes each way", run: raw(ours, large)),
            Part(id: "ours-raw-13k", name: "our client, raw server, 12,900 bytes each way", run: client(toRaw, large)),
            Part(
                id: "ours-ours-13k", name: "our client, our server, 12,900 bytes each way", run: client(toOurs, large)),
            Part(id: "raw-gateway", name: "raw caller, BrokerServer's echo", run: raw(gateway)),
            Part(id: "ours-gateway", name: "our client transport, BrokerServer's echo", run: client(toGateway)),
            Part(
                id: "client-gateway", name: "BrokerClient's call, BrokerServer's echo",
                run: { n in try await BenchStats.samples(n) { _ = try await broker.call(Method.echo, "hi") } }),
        ]
    }

    private func measure(_ parts: [Part]) async throws {
        let perRound = max(10, calls / 10)
        let samples = try await BenchStats.inRounds(10, timed: perRound, untimed: 20, parts.map(\.run))
        print("AMQP echo taken apart: \(perRound * 10) calls each, in 10 alternating rounds (µs)")
        for (part, times) in zip(parts, samples) {
            let p = BenchStats.percentiles(times)
            let id = part.id.padding(toLength: 17, withPad: " ", startingAt: 0)
            print(id + String(format: "p50 %6.1f  p99 %6.1f  ", p.p50, p.p99) + part.name)
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
