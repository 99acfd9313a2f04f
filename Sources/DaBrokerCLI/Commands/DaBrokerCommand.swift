import ArgumentParser

/// The `dabroker` command: serve a database, list what it exports, migrate it, and talk to a
/// running gateway.
public struct DaBrokerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dabroker",
        abstract: "A SQL-first data-serving gateway: serve an existing database to DaBroker clients.",
        discussion: "With no arguments to `serve`, runs the embedded default: a SQLite demo database over HTTP.",
        subcommands: [
            ServeCommand.self, ModelsCommand.self, MigrateCommand.self, GetCommand.self, FindCommand.self,
            CountCommand.self, NewCommand.self, UpdateCommand.self, DeleteCommand.self, CallCommand.self,
            WatchCommand.self, ChangesCommand.self, ProbeCommand.self,
        ])

    public init() {}

    /// Parses the process's arguments and runs the chosen subcommand (the executable's entry).
    public static func runMain() async {
        await main(nil)
    }
}
