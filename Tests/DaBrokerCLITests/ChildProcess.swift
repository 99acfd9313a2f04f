import Foundation

/// Runs `dabroker` as a child process, as a user would.
final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` and the pipes are set up in init and only read
    // afterwards; Foundation's Process and Pipe are thread-safe for these uses.
    let process = Process()
    private let out = Pipe()
    private let err = Pipe()

    init(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: CLITestPaths.executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = out
        process.standardError = err
        try process.run()
    }

    /// Waits for the process to end (killing it after `timeout` seconds) and returns its
    /// status and output.
    func finish(timeout: Double = 60) async -> (status: Int32, out: String, err: String) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, o, e)
    }

    /// Reads standard output until a line containing `marker` arrives (or `timeout`).
    func waitForOutput(containing marker: String, timeout: Double = 60) async -> String? {
        var seen = ""
        let deadline = Date().addingTimeInterval(timeout)
        let handle = out.fileHandleForReading
        while Date() < deadline {
            let chunk = await withCheckedContinuation { (c: CheckedContinuation<Data, Never>) in
                DispatchQueue.global().async { c.resume(returning: handle.availableData) }
            }
            if chunk.isEmpty { return seen.contains(marker) ? seen : nil }
            seen += String(decoding: chunk, as: UTF8.self)
            if seen.contains(marker) { return seen }
        }
        return nil
    }

    /// Reads standard error until `marker` arrives (or `timeout`).
    func waitForStderr(containing marker: String, timeout: Double = 30) async -> Bool {
        var seen = ""
        let deadline = Date().addingTimeInterval(timeout)
        let handle = err.fileHandleForReading
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

    /// Runs a command to completion.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], directory: String? = nil, timeout: Double = 60
    )
        async throws -> (status: Int32, out: String, err: String)
    {
        try await ChildProcess(arguments, environment: environment, directory: directory).finish(timeout: timeout)
    }
}
