import Foundation

/// A `dabroker serve` child process from the built products folder.
final class ServeProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` and the pipe are set up in init and only read afterwards;
    // Foundation's Process and Pipe are thread-safe for these uses.
    let process = Process()
    private let out = Pipe()

    /// The `dabroker` executable beside the test bundle (`swift build --build-tests` builds it).
    static var executable: String {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        let candidates = [
            bundleDir.appendingPathComponent("dabroker").path,
            StackHelper.root.appendingPathComponent(".build/debug/dabroker").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }

    init(config: String) throws {
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["serve", "--config", config, "--no-http", "--log-level", "error"]
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Reads standard output until it contains `marker` (or `timeout` seconds pass).
    func waitForOutput(containing marker: String, timeout: Double = 60) async -> Bool {
        var seen = ""
        let deadline = Date().addingTimeInterval(timeout)
        let handle = out.fileHandleForReading
        while Date() < deadline {
            let chunk = await withCheckedContinuation { (c: CheckedContinuation<Data, Never>) in
                DispatchQueue.global().async { c.resume(returning: handle.availableData) }
            }
            if chunk.isEmpty { return seen.contains(marker) }
            seen += String(decoding: chunk, as: UTF8.self)
            if seen.contains(marker) { return true }
        }
        return false
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Ends the process (SIGTERM, then SIGKILL after `timeout`) and waits for it.
    func stop(timeout: Double = 10) async {
        if process.isRunning { signal(SIGTERM) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { signal(SIGKILL) }
        process.waitUntilExit()
    }
}
