import DaBrokerAMQP
import DaBrokerCore
import DaBrokerSQL
import Foundation

/// The server's CPU time per call over AMQP, a figure that holds on a noisy machine where
/// wall-clock latency does not: the gateway as its own process (`dabroker serve`, alone on a
/// queue of its own; the CPU of all its threads from `/proc/PID/task/*/schedstat`) against
/// ``RawGetFloor`` (its threads' `CLOCK_THREAD_CPUTIME_ID`), for echo, get-by-key and find-50.
/// Both servers run at once and are called by the same raw caller (``RawEcho``), in
/// ``rounds`` alternating rounds per kind of call, so that both are measured at the
/// machine's same speed.
struct ServerCPU {
    struct Figure {
        var gateway: Double
        var floor: Double
        /// How many times per call a thread of the gateway was put on a CPU (woken).
        var gatewayWakeUps: Double
    }

    var echo: Figure
    var getByKey: Figure
    var find50: Figure

    /// Rounds per kind of call, each with half the calls on each server: floor, gateway,
    /// gateway, floor, which cancels a steady drift of the machine's speed. More rounds cost
    /// the gateway more: each time it resumes after the floor's turn it runs cold for a few
    /// calls (ten rounds: 115–122 µs per get-by-key against 103–119 with one; the floor's
    /// figure did not move), and the floor's small C loop does not.
    static let rounds = 2

    static func measure(
        database: BenchDatabase, amqpURL: String, gateway: BenchGateway, calls: Int
    ) async throws -> ServerCPU {
        guard let executable = SecondServer.executable() else {
            throw BenchFailure("no dabroker binary next to dabroker-bench: build it to measure the server's CPU")
        }
        let floorConfiguration = try benchConfiguration(amqpURL)
        let floor = try await RawGetFloor(
            database: database, amqp: floorConfiguration, threads: DatabaseOptions().maxConnections)
        let amqp = try benchConfiguration(amqpURL)
        let server: SecondServer
        do {
            server = try await SecondServer(
                executable: executable, database: database, amqpURL: amqpURL, amqp: amqp, timeout: .seconds(60),
                consumers: 1)
        } catch {
            floor.stop()
            _ = try? await onBenchThread { try RawEcho.deleteNames(floorConfiguration) }
            throw error
        }
        func tearDown() async {
            floor.stop()
            server.stop()
            _ = try? await onBenchThread {
                try RawEcho.deleteNames(floorConfiguration)
                try RawEcho.deleteNames(amqp)
            }
        }
        do {
            let kinds = try await requests(gateway, amqp)
            let floorKinds: [[String]] = [["e"], (1...1000).map { "g\($0)" }, ["f"]]
            var figures: [Figure] = []
            for (kind, floorBodies) in zip(kinds, floorKinds) {
                figures.append(
                    try await paired(
                        floor: floor, floorBodies, floorConfiguration, gateway: server.pid, kind, amqp, calls: calls))
            }
            await tearDown()
            return ServerCPU(echo: figures[0], getByKey: figures[1], find50: figures[2])
        } catch {
            await tearDown()
            throw error
        }
    }

    /// The encoded requests, as `BrokerClient` would send them with its cache off: echo,
    /// get-by-key of rows 1…1000 (signed refs), a find of 50 rows. The first of each kind is
    /// sent once and its reply checked to carry no error.
    private static func requests(_ gateway: BenchGateway, _ c: AMQPConfiguration) async throws -> [[String]] {
        let codec = JSONCodec()
        func encode(_ r: Request) -> String { String(decoding: codec.encode(Message(data: r.value)), as: UTF8.self) }
        let echo = [encode(Request(method: Method.echo, args: [.string("hi")]))]
        let gets = (1...1000).map { String(decoding: gateway.encodedGet($0), as: UTF8.self) }
        let key = gateway.loader.tableKey(BenchDatabase.table)
        let table = Ref(key: key, code: gateway.server.codes.code(for: key))
        let find = [encode(Request(method: Method.search, target: table, named: ["_limit": .int(50)]))]
        let kinds = [echo, gets, find]
        for kind in kinds {
            let reply = try codec.decode(try await onBenchThread { try RawEcho.reply(c, body: kind[0]) })
            if let error = reply.error { throw BenchFailure("the gateway answered an error: \(error)") }
        }
        return kinds
    }

    /// µs of CPU per call of both servers, and the gateway's wake-ups per call, for one kind
    /// of call: 50 untimed calls each, then ``rounds`` rounds of `calls / rounds` calls on
    /// each (the floor first in even rounds, last in odd ones).
    private static func paired(
        floor: RawGetFloor, _ floorBodies: [String], _ floorConfiguration: AMQPConfiguration,
        gateway pid: Int32, _ bodies: [String], _ c: AMQPConfiguration, calls: Int
    ) async throws -> Figure {
        _ = try await onBenchThread { try RawEcho.call(floorConfiguration, calls: 50, bodies: floorBodies) }
        _ = try await onBenchThread { try RawEcho.call(c, calls: 50, bodies: bodies) }
        let perRound = max(1, calls / rounds)
        var floorCPU = 0
        var floorCalls = 0
        var gatewayCPU = (nanoseconds: 0, slices: 0)
        for round in 0..<rounds {
            for onFloor in round % 2 == 0 ? [true, false] : [false, true] {
                if onFloor {
                    let (cpu0, n0) = (floor.cpuNanoseconds, floor.answered)
                    _ = try await onBenchThread {
                        try RawEcho.call(floorConfiguration, calls: perRound, bodies: floorBodies)
                    }
                    floorCPU += floor.cpuNanoseconds - cpu0
                    floorCalls += floor.answered - n0
                } else {
                    guard let before = processCPU(pid) else { throw BenchFailure("cannot read /proc/\(pid)/task") }
                    _ = try await onBenchThread { try RawEcho.call(c, calls: perRound, bodies: bodies) }
                    guard let after = processCPU(pid) else { throw BenchFailure("cannot read /proc/\(pid)/task") }
                    gatewayCPU.nanoseconds += after.nanoseconds - before.nanoseconds
                    gatewayCPU.slices += after.slices - before.slices
                }
            }
        }
        guard floorCalls > 0 else { throw BenchFailure("the raw floor server answered no call") }
        let gatewayCalls = Double(perRound * rounds)
        return Figure(
            gateway: Double(gatewayCPU.nanoseconds) / gatewayCalls / 1000,
            floor: Double(floorCPU) / Double(floorCalls) / 1000,
            gatewayWakeUps: Double(gatewayCPU.slices) / gatewayCalls)
    }

    /// Nanoseconds on CPU of all threads of process `pid` and how many times they were put on
    /// a CPU (the first and third fields of each thread's `schedstat`): exact, unlike `stat`'s
    /// clock ticks.
    static func processCPU(_ pid: Int32) -> (nanoseconds: Int, slices: Int)? {
        let folder = "/proc/\(pid)/task"
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        var total = (nanoseconds: 0, slices: 0)
        for task in tasks {
            guard let text = try? String(contentsOfFile: "\(folder)/\(task)/schedstat", encoding: .utf8)
            else { continue }
            let fields = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
            guard fields.count >= 3 else { continue }
            total.nanoseconds += fields[0]
            total.slices += fields[2]
        }
        return total
    }
}
