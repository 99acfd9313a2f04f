import DaBrokerAMQP
import Foundation

/// HTTP side by side with a peer: Datasette and `dabroker serve` (its REST face) serving the
/// same SQLite file, both loaded by `wrk` with the same connections, in alternating rounds: one row
/// by key, and a page of 50 rows (Datasette with `_nofacet=1&_nocount=1`, which returns
/// only rows). Needs `datasette` (PyPI; `DABROKER_BENCH_DATASETTE` or on the PATH) and `wrk`
/// (Debian); the runner skips it with a note when either is missing.
struct PeerHTTPBench {
    struct Figure {
        var name: String
        var connections: Int
        var ours: Double
        var datasette: Double
    }

    /// The executables, or the reason the comparison cannot run.
    static func tools() -> (datasette: String, wrk: String)? {
        let env = ProcessInfo.processInfo.environment
        guard let datasette = env["DABROKER_BENCH_DATASETTE"].flatMap({ $0.isEmpty ? nil : $0 }) ?? which("datasette"),
            let wrk = which("wrk")
        else { return nil }
        return (datasette, wrk)
    }

    static func run(
        tools: (datasette: String, wrk: String), database: BenchDatabase, amqpURL: String, seconds: Int
    ) async throws -> [Figure] {
        guard let executable = SecondServer.executable() else {
            throw BenchFailure("no dabroker binary next to dabroker-bench")
        }
        let path = String(database.url.dropFirst("sqlite:".count))
        let ourPort = try MemoryBurst.freePort()
        let amqp = try benchConfiguration(amqpURL)
        let server = try await SecondServer(
            executable: executable, database: database, amqpURL: amqpURL, amqp: amqp, timeout: .seconds(60),
            consumers: 1, httpPort: ourPort)
        // A server leaves its queue for the next one; this one is the benchmark's own.
        func stop() async {
            server.stop()
            _ = try? await onBenchThread { try RawEcho.deleteNames(amqp) }
        }
        do {
            let out = try await compare(tools: tools, path: path, ourPort: ourPort, seconds: seconds)
            await stop()
            return out
        } catch {
            await stop()
            throw error
        }
    }

    /// Datasette started on the file at `path`, then both servers loaded by `wrk` in turn.
    private static func compare(
        tools: (datasette: String, wrk: String), path: String, ourPort: Int, seconds: Int
    ) async throws -> [Figure] {
        let peerPort = try MemoryBurst.freePort()
        let peer = Process()
        peer.executableURL = URL(fileURLWithPath: tools.datasette)
        peer.arguments = ["serve", "-i", path, "-p", String(peerPort), "--setting", "default_page_size", "50"]
        peer.standardOutput = FileHandle.nullDevice
        peer.standardError = FileHandle.nullDevice
        try peer.run()
        defer {
            // SIGKILL: Datasette's server (uvicorn) was seen ignoring SIGTERM here, and
            // `waitUntilExit` then waits for ever.
            kill(peer.processIdentifier, SIGKILL)
            peer.waitUntilExit()
        }
        let db = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let t = BenchDatabase.table
        let ours = "http://127.0.0.1:\(ourPort)/api/\(t)"
        let theirs = "http://127.0.0.1:\(peerPort)/\(db)/\(t)"
        try await waitForOK(tools.wrk, ours + "/1")
        try await waitForOK(tools.wrk, theirs + "/1.json")
        let ourPage = "?limit=50"
        let peerPage = ".json?_size=50&_nofacet=1&_nocount=1&_shape=objects"
        var out: [Figure] = []
        for connections in [1, 16] {
            let row = try await alternated(
                tools.wrk, ours + "/1", theirs + "/1.json?_shape=objects", connections, seconds)
            out.append(Figure(name: "http_row", connections: connections, ours: row.ours, datasette: row.theirs))
            let page = try await alternated(tools.wrk, ours + ourPage, theirs + peerPage, connections, seconds)
            out.append(Figure(name: "http_page50", connections: connections, ours: page.ours, datasette: page.theirs))
        }
        return out
    }

    /// Requests per second of both servers, each loaded `seconds` times for a second in turn
    /// (``BenchStats/inRounds(_:timed:untimed:_:)``: ours first in even rounds, Datasette first
    /// in odd ones), the mean of each side's rounds: this machine's speed drifts for minutes at
    /// a time, so two runs of five seconds one after the other could each be taken at another
    /// speed.
    private static func alternated(
        _ wrkPath: String, _ ours: String, _ theirs: String, _ connections: Int, _ seconds: Int
    ) async throws -> (ours: Double, theirs: Double) {
        let rates = try await BenchStats.inRounds(
            max(1, seconds), timed: 1, untimed: 0,
            [ours, theirs].map { url in { _ in [try await wrk(wrkPath, url, connections, 1)] } })
        let mean = { (r: [Double]) in r.reduce(0, +) / Double(max(1, r.count)) }
        return (mean(rates[0]), mean(rates[1]))
    }

    /// Requests per second `wrk` reached against `url` (2 threads, `connections`), on a thread
    /// of its own (waiting for a process blocks).
    private static func wrk(_ wrk: String, _ url: String, _ connections: Int, _ seconds: Int) async throws -> Double {
        try await onBenchThread { try runWrk(wrk, url, connections, seconds) }
    }

    private static func runWrk(_ wrk: String, _ url: String, _ connections: Int, _ seconds: Int) throws -> Double {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: wrk)
        p.arguments = ["-t", String(min(2, connections)), "-c", String(connections), "-d", "\(seconds)s", url]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        if text.contains("Non-2xx or 3xx responses") {
            throw BenchFailure("wrk saw error responses from \(url)")
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
            let value = Double(line.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces))
        else { throw BenchFailure("cannot read wrk's output for \(url)") }
        return value
    }

    /// Runs `wrk` for a second against `url` until it completes requests without an error
    /// status (up to 30 s). `wrk` rather than URLSession: the latter was seen spinning forever on
    /// Linux here, and `wrk` is needed anyway.
    private static func waitForOK(_ wrkPath: String, _ url: String) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while clock.now < deadline {
            if let rate = try? await wrk(wrkPath, url, 1, 1), rate > 0 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchFailure("\(url) did not answer 200 within 30 s")
    }

    /// The executable `name` on the PATH.
    private static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
