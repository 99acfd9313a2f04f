import DaBrokerAMQP
import DaBrokerCore
import DaBrokerSQL
import Foundation

/// The server's CPU time per call over AMQP, a figure that holds on a noisy machine where
/// wall-clock latency does not: the gateway as its own process (`dabroker serve`, alone on a
/// queue of its own; the CPU of all its threads from `/proc/PID/task/*/schedstat`) against
/// ``RawGetFloor`` (its threads' `CLOCK_THREAD_CPUTIME_ID`), for echo, get-by-key and find-50,
/// each over `calls` sequential calls.
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

    static func measure(
        database: BenchDatabase, amqpURL: String, gateway: BenchGateway, calls: Int
    ) async throws -> ServerCPU {
        guard let executable = SecondServer.executable() else {
            throw BenchFailure("no dabroker binary next to dabroker-bench: build it to measure the server's CPU")
        }
        let floorConfiguration = try benchConfiguration(amqpURL)
        let floor = try await RawGetFloor(
            database: database, amqp: floorConfiguration, threads: DatabaseOptions().maxConnections)
        let floors: [Double]
        do {
            floors = try await floorCPU(floor, floorConfiguration, calls: calls)
        } catch {
            floor.stop()
            throw error
        }
        floor.stop()
        try await onBenchThread { try RawEcho.deleteNames(floorConfiguration) }

        let amqp = try benchConfiguration(amqpURL)
        let server = try await SecondServer(
            executable: executable, database: database, amqpURL: amqpURL, amqp: amqp, timeout: .seconds(60),
            consumers: 1)
        let transport = AMQPClientTransport(configuration: amqp, logger: BenchGateway.quiet("cpu"))
        do {
            try await transport.connect()
            let cpu = try await gatewayCPU(transport, pid: server.pid, requests: requests(gateway), calls: calls)
            await transport.close()
            server.stop()
            try await onBenchThread { try RawEcho.deleteNames(amqp) }
            return ServerCPU(
                echo: Figure(gateway: cpu[0].cpu, floor: floors[0], gatewayWakeUps: cpu[0].wakeUps),
                getByKey: Figure(gateway: cpu[1].cpu, floor: floors[1], gatewayWakeUps: cpu[1].wakeUps),
                find50: Figure(gateway: cpu[2].cpu, floor: floors[2], gatewayWakeUps: cpu[2].wakeUps))
        } catch {
            await transport.close()
            server.stop()
            throw error
        }
    }

    /// The encoded requests, as `BrokerClient` would send them with its cache off: echo,
    /// get-by-key of rows 1…1000 (signed refs), a find of 50 rows.
    private static func requests(_ gateway: BenchGateway) -> [[[UInt8]]] {
        let codec = JSONCodec()
        func encode(_ r: Request) -> [UInt8] { codec.encode(Message(data: r.value)) }
        let echo = [encode(Request(method: Method.echo, args: [.string("hi")]))]
        let gets = (1...1000).map { encode(Request(method: Method.get, args: [.ref(gateway.rowRef($0))])) }
        let key = gateway.loader.tableKey(BenchDatabase.table)
        let table = Ref(key: key, code: gateway.server.codes.code(for: key))
        let find = [encode(Request(method: Method.search, target: table, named: ["_limit": .int(50)]))]
        return [echo, gets, find]
    }

    /// µs of CPU per call of the raw floor: echo, get-by-key, find-50.
    private static func floorCPU(_ floor: RawGetFloor, _ c: AMQPConfiguration, calls: Int) async throws -> [Double] {
        let kinds: [[String]] = [["e"], (1...1000).map { "g\($0)" }, ["f"]]
        var out: [Double] = []
        for bodies in kinds {
            _ = try await onBenchThread { try RawEcho.call(c, calls: 50, bodies: bodies) }
            let (cpu0, n0) = (floor.cpuNanoseconds, floor.answered)
            _ = try await onBenchThread { try RawEcho.call(c, calls: calls, bodies: bodies) }
            let answered = floor.answered - n0
            guard answered > 0 else { throw BenchFailure("the raw floor server answered no call") }
            out.append(Double(floor.cpuNanoseconds - cpu0) / Double(answered) / 1000)
        }
        return out
    }

    /// µs of CPU and thread wake-ups per call of the gateway process, for each kind of
    /// request; every reply is checked to carry no error.
    private static func gatewayCPU(
        _ transport: AMQPClientTransport, pid: Int32, requests: [[[UInt8]]], calls: Int
    ) async throws -> [(cpu: Double, wakeUps: Double)] {
        let codec = JSONCodec()
        var out: [(cpu: Double, wakeUps: Double)] = []
        for kind in requests {
            var i = 0
            func once() async throws {
                i += 1
                let reply = try codec.decode(try await transport.call(kind[i % kind.count]))
                if let error = reply.error { throw BenchFailure("the gateway answered an error: \(error)") }
            }
            for _ in 0..<50 { try await once() }
            guard let before = processCPU(pid) else { throw BenchFailure("cannot read /proc/\(pid)/task") }
            for _ in 0..<calls { try await once() }
            guard let after = processCPU(pid) else { throw BenchFailure("cannot read /proc/\(pid)/task") }
            out.append(
                (
                    Double(after.nanoseconds - before.nanoseconds) / Double(calls) / 1000,
                    Double(after.slices - before.slices) / Double(calls)
                ))
        }
        return out
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
