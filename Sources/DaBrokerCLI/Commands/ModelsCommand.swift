import ArgumentParser
import DaBrokerSQL
import Foundation

/// `dabroker models`: the admin listing of what a configuration exports.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List each exported table with its mode, fields, refs, backrefs, hidden columns and notices.")

    @OptionGroup var options: DatabaseOptionGroup

    @Flag(name: .long, help: "Print JSON for scripts instead of a table.")
    var json = false

    func run() async throws {
        try await CLIErrors.reporting {
            let (config, embedded) = try options.load(embeddedDefaultIfEmpty: true)
            let db = try await GatewayDatabase.open(config, embedded: embedded, migrations: options.migrationsDirectory)
            let plan = try ExportPlan(
                configuration: config, model: db.model, databaseKind: db.database.kind.rawValue)
            Output.write(json ? ModelsListing.json(plan) : ModelsListing.table(plan))
            let log = ChangeLog(dialect: db.database.dialect)
            if !json, try await log.isInstalled(db.database) {
                let captured = try await log.capturedTables(db.database)
                Output.write("change capture: \(captured.isEmpty ? "none" : captured.joined(separator: ", "))\n")
            }
            await db.database.close()
        }
    }
}
