import ArgumentParser
import Foundation
import Logging

/// `dabroker-bench`: measures the gateway against its physical floor (driver SELECT, raw
/// echo RPC) in one run and prints a table; see docs/performance.md.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dabroker-bench",
        abstract: "Measure DaBroker against its floor: driver SELECT, raw AMQP and HTTP echo.",
        discussion: """
            Services come from DABROKER_TEST_POSTGRES_URL, DABROKER_TEST_MYSQL_URL and \
            DABROKER_TEST_AMQP_URL; a missing one skips its rows. SQLite always runs.
            """)

    @Flag(help: "CI mode: small iteration counts, finishes in well under 2 minutes, only prints.")
    var short = false

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    @Flag(help: "Include the schema reflection benchmark (never in --short).")
    var reflection = false

    @Flag(help: "Run only the schema reflection benchmark.")
    var reflectionOnly = false

    @Option(help: ArgumentHelp("Only run N in-process get-by-key calls, for callgrind.", visibility: .hidden))
    var profile: Int?

    @Option(help: "Arguments for the reflection benchmark, e.g. \"--tables 200 --runs 2 --no-sqlalchemy\".")
    var reflectionArgs: String = ""

    /// Runs the command; a top-level `await main()` would pick the synchronous overload.
    static func runMain() async { await main(nil) }

    func run() async throws {
        // Warnings and errors only, so that the table stays readable.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        if let profile {
            try await ProfileLoop.run(calls: profile)
            return
        }
        if reflectionOnly {
            try await runReflectionBenchmark(arguments: reflectionArgs.split(separator: " ").map(String.init))
            return
        }
        let runner = BenchRunner(settings: BenchSettings(short: short))
        await runner.run()
        let report = BenchReport(results: runner.results, notes: runner.notes)
        report.print()
        if let json { try report.write(json: json) }
        if reflection && !short {
            try await runReflectionBenchmark(arguments: reflectionArgs.split(separator: " ").map(String.init))
        }
        if runner.crashed { throw ExitCode(1) }
    }
}
