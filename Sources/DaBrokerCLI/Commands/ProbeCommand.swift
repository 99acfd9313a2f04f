import ArgumentParser
import DaBrokerHTTP
import Foundation

/// `dabroker probe URL`: one `GET` of an operator endpoint (`/readyz`, `/healthz`,
/// `/metrics`); exits 0 on a 2xx answer, 1 otherwise. For container health checks in images
/// without curl (the compose file's gateway uses `dabroker probe http://127.0.0.1:8080/readyz`).
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "GET an operator endpoint (e.g. http://127.0.0.1:8080/readyz); exit 0 when it answers 2xx.")

    @Argument(help: "The endpoint's URL: http://HOST:PORT/PATH.")
    var url: String

    @Option(name: .long, help: "Bearer token (default: $DABROKER_HTTP_TOKEN).")
    var token: String?

    @Option(name: .long, help: "Seconds to wait for the answer.")
    var timeout: Double = 5

    @Flag(name: .long, help: "Print the answer's body.")
    var verbose = false

    func run() async throws {
        try await CLIErrors.reporting {
            guard let parts = URLComponents(string: url), parts.scheme == "http", let host = parts.host else {
                throw ConfigurationError("'\(url)' is not an http:// URL", hint: "e.g. http://127.0.0.1:8080/readyz")
            }
            let bearer = token ?? ProcessInfo.processInfo.environment["DABROKER_HTTP_TOKEN"]
            let answer = try await HTTPProbe.get(
                host: host, port: parts.port ?? 80, path: parts.path.isEmpty ? "/" : parts.path, bearerToken: bearer,
                timeout: .milliseconds(Int(max(0.1, timeout) * 1000)))
            if verbose || !(200..<300).contains(answer.status) { Output.write(answer.body + "\n") }
            guard (200..<300).contains(answer.status) else {
                FileHandle.standardError.write(Data("\(parts.path): HTTP \(answer.status)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
