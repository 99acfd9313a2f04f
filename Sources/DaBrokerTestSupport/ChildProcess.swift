import Foundation

/// Runs a built executable — `dabroker` unless told otherwise — as a child process, as a user
/// would, and reads what it prints.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` and the pipes are set up in init and only read
    // afterwards; Foundation's Process and Pipe are thread-safe for these uses.
    public let process = Process()
    private let out = Pipe()
    private let err = Pipe()

    /// The repository's root folder, found from this source file.
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// The `dabroker` executable beside the test bundle (`swift build --build-tests` builds it).
    public static var dabroker: String {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        let candidates = [
            bundleDir.appendingPathComponent("dabroker"),
            repositoryRoot.appendingPathComponent(".build/debug/dabroker"),
        ]
        return (candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[1]).path
    }

    /// Starts `executable` with `arguments`, the environment of this process with
    /// `environment` on top, in `directory` if given.
    public init(
        _ arguments: [String], executable: String = ChildProcess.dabroker, environment: [String: String] = [:],
        directory: String? = nil
    ) throws {
        process.executableURL = URL(fileURLWithPath: executable)
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
    public func finish(timeout: Double = 60) async -> (status: Int32, out: String, err: String) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, o, e)
    }

    /// Ends the process (SIGTERM, then SIGKILL after `timeout` seconds) and waits for it.
    public func stop(timeout: Double = 10) async {
        if process.isRunning { signal(SIGTERM) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { signal(SIGKILL) }
        process.waitUntilExit()
    }

    /// Reads standard output until it contains `marker` and returns what was read, or `nil`
    /// if the output ends or `timeout` seconds pass first.
    public func waitForOutput(containing marker: String, timeout: Double = 60) async -> String? {
        await read(out.fileHandleForReading, until: marker, timeout: timeout)
    }

    /// Reads standard error until it contains `marker` and returns what was read, or `nil` if
    /// the output ends or `timeout` seconds pass first.
    public func waitForStderr(containing marker: String, timeout: Double = 30) async -> String? {
        await read(err.fileHandleForReading, until: marker, timeout: timeout)
    }

    /// The port the HTTP transport bound (`serve --http-port 0` lets the OS choose one), read
    /// from its `HTTP transport listening … port=N` line on standard error (logged at `info`,
    /// `serve`'s default level); `nil` if that line does not come within `timeout` seconds.
    public func waitForHTTPPort(timeout: Double = 60) async -> Int? {
        let marker = "HTTP transport listening"
        guard let seen = await waitForStderr(containing: marker, timeout: timeout),
            let line = seen.split(separator: "\n").first(where: { $0.contains(marker) }),
            let field = line.split(separator: " ").first(where: { $0.hasPrefix("port=") })
        else { return nil }
        return Int(field.dropFirst("port=".count)).flatMap { $0 > 0 ? $0 : nil }
    }

    public func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Runs a command to completion.
    public static func run(
        _ arguments: [String], executable: String = ChildProcess.dabroker, environment: [String: String] = [:],
        directory: String? = nil, timeout: Double = 60
    ) async throws -> (status: Int32, out: String, err: String) {
        try await ChildProcess(arguments, executable: executable, environment: environment, directory: directory)
            .finish(timeout: timeout)
    }

    private func read(_ handle: FileHandle, until marker: String, timeout: Double) async -> String? {
        var seen = ""
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            // `availableData` blocks: wait for it off the cooperative pool.
            let chunk = await withCheckedContinuation { (c: CheckedContinuation<Data, Never>) in
                DispatchQueue.global().async { c.resume(returning: handle.availableData) }
            }
            if chunk.isEmpty { return seen.contains(marker) ? seen : nil }
            seen += String(decoding: chunk, as: UTF8.self)
            if seen.contains(marker) { return seen }
        }
        return nil
    }
}
