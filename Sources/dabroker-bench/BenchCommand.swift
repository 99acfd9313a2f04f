import ArgumentParser
import DaBrokerServer
import Logging

/// `dabroker-bench`: measures the gateway against its physical floor (`measure`, the default)
/// and schema reflection against SQLAlchemy (`reflect`); see docs/performance.md.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dabroker-bench",
        abstract: "Measure DaBroker: against its floor (measure), and its schema reflection (reflect).",
        subcommands: [MeasureCommand.self, ReflectCommand.self, ChangesBenchCommand.self, QueriesBenchCommand.self],
        defaultSubcommand: MeasureCommand.self)

    /// Runs the command; a top-level `await main()` would pick the synchronous overload.
    static func runMain() async { await main(nil) }

    /// Warnings and errors only, so that the printed tables stay readable; through the handler
    /// `dabroker serve` uses, so that the gateway in this process logs at the cost it has there.
    static func bootstrapLogging() {
        LoggingSystem.bootstrap { label in
            var handler = DeferredMetadataLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = .warning
            return handler
        }
    }
}
