import Foundation

/// Runs the `curl` command line tool, as a user following `docs/http.md` would.
enum Curl {
    static let path = "/usr/bin/curl"
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// `curl -s` with `arguments`; returns its standard output. Runs on a GCD thread: waiting
    /// for the process must not block the cooperative pool the server under test runs on.
    static func run(_ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(arguments) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-s", "--max-time", "10"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Posts `json` to `/rpc` with the given content type; returns the response body.
    static func rpc(
        port: Int, _ json: String, contentType: String = "application/json", token: String? = nil
    ) async throws
        -> String
    {
        var args = ["-X", "POST", "http://127.0.0.1:\(port)/rpc", "-H", "Content-Type: \(contentType)"]
        if let token { args += ["-H", "Authorization: Bearer \(token)"] }
        return try await run(args + ["--data-binary", json])
    }

    /// The HTTP status code of a request (`-o /dev/null -w %{http_code}`).
    static func status(_ arguments: [String]) async throws -> Int {
        Int(try await run(["-o", "/dev/null", "-w", "%{http_code}"] + arguments)) ?? -1
    }
}
