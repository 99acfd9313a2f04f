import ArgumentParser
import DaBrokerSQL

/// `dabroker migrate`: applies the migrations the database has not had yet.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply migrations/<dialect>/NNN_name.sql in order; running it twice changes nothing.")

    @OptionGroup var options: DatabaseOptionGroup

    func run() async throws {
        try await CLIErrors.reporting {
            let (config, _) = try options.load(embeddedDefaultIfEmpty: false)
            let db = try await Database.open(url: config.database ?? "")
            let migrator = Migrator(directory: options.migrationsDirectory)
            let applied = try await db.withConnection { conn in try await migrator.migrate(conn) }
            await db.close()
            if applied.isEmpty {
                Output.line("migrate: nothing to do")
            } else {
                for name in applied { Output.line("migrate: applied \(name)") }
            }
        }
    }
}
