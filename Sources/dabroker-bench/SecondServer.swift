import DaBrokerAMQP
import Foundation

/// A second gateway process: `dabroker serve --config <generated yaml> --no-http --amqp URL`
/// (or `--http-port N` instead of `--no-http`),
/// the `dabroker` binary from the same folder as this benchmark, serving the same database
/// on the same AMQP queue with the same secret.
final class SecondServer {
    let process: Process
    let folder: URL

    var pid: Int32 { process.processIdentifier }

    /// The `dabroker` executable next to this one, if built.
    static func executable() -> URL? {
        guard let me = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let url = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("dabroker")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }

    /// Starts the process and waits (up to `timeout`) until the queue has `consumers` consumers
    /// (2: this process's gateway and the new one).
    init(
        executable: URL, database: BenchDatabase, amqpURL: String, amqp: AMQPConfiguration, timeout: Duration,
        consumers: Int = 2, httpPort: Int? = nil
    ) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dabroker-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let yaml = """
            database: "\(database.url)"
            secret: "\(BenchGateway.secret)"
            amqp:
              url: "\(amqpURL)"
              queue: "\(amqp.queue)"
              exchange: "\(amqp.exchange)"
              routing_key: "\(amqp.routingKey)"
              prefetch: \(amqp.prefetch)
            limits:
              request_concurrency: 64
              max_find_limit: 10000
            export:
              rw: true
              include: ["\(BenchDatabase.table)"]

            """
        let config = folder.appendingPathComponent("bench.yaml")
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        let log = folder.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process = Process()
        process.executableURL = executable
        let http = httpPort.map { ["--http-port", String($0)] } ?? ["--no-http"]
        process.arguments = ["serve", "--config", config.path] + http + ["--amqp", amqpURL, "--log-level", "warning"]
        process.currentDirectoryURL = folder
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if try await amqpConsumerCount(amqp) >= consumers { return }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        stop()
        throw BenchFailure("the second server did not start consuming within \(timeout): \(output.suffix(800))")
    }

    /// Sends SIGTERM and waits for the process to exit; removes its folder.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// A benchmark step that could not run, with the reason.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
