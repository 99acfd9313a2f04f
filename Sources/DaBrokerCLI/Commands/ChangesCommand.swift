import ArgumentParser
import DaBrokerSQL

/// `dabroker changes install|uninstall|status`: change capture, so that writes made outside
/// the gateway reach clients' caches (docs/changes.md).
struct ChangesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "Install, remove or show change capture (triggers and a log) for exported tables.",
        subcommands: [Install.self, Uninstall.self, Status.self])

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the change log and the capture triggers (idempotent).",
            discussion: """
                Captures the TABLEs given, else those of the configuration's `changes.tables` (all exported \
                tables when it lists none). Tables without a primary key cannot be captured. Example:
                  dabroker changes install --config dabroker.yaml
                  dabroker changes install --database postgres://u:p@host/db person project
                """)

        @OptionGroup var options: DatabaseOptionGroup
        @Argument(help: "Exported tables to capture (default: the configuration's changes.tables).")
        var tables: [String] = []

        func run() async throws {
            try await CLIErrors.reporting {
                let (config, embedded) = try options.load(embeddedDefaultIfEmpty: true)
                let opened = try await GatewayDatabase.open(
                    config, embedded: embedded, migrations: options.migrationsDirectory)
                let plan = try ExportPlan(
                    configuration: config, model: opened.model, databaseKind: opened.database.kind.rawValue)
                let chosen = try ChangesCommand.chosen(tables, config: config, plan: plan)
                var descriptions: [TableDescription] = []
                for name in chosen {
                    guard let t = opened.model.tables[name]?.table else { continue }
                    guard !t.primaryKey.isEmpty else {
                        Output.write("skipped \(name): it has no primary key, so its rows have no key to broadcast\n")
                        continue
                    }
                    descriptions.append(t)
                }
                let log = ChangeLog(dialect: opened.database.dialect)
                try await log.install(opened.database, tables: descriptions)
                let captured = try await log.capturedTables(opened.database)
                Output.write("change capture installed; captured tables: \(captured.joined(separator: ", "))\n")
                await opened.database.close()
            }
        }
    }

    struct Uninstall: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove every capture trigger, the change log and its state: no trace is left.")

        @OptionGroup var options: DatabaseOptionGroup

        func run() async throws {
            try await CLIErrors.reporting {
                let (config, embedded) = try options.load(embeddedDefaultIfEmpty: true)
                let opened = try await GatewayDatabase.open(
                    config, embedded: embedded, migrations: options.migrationsDirectory)
                let log = ChangeLog(dialect: opened.database.dialect)
                let model = opened.model
                let removed = try await log.uninstall(opened.database) { model.tables[$0]?.table.schema }
                Output.write(
                    "change capture removed"
                        + (removed.isEmpty ? "\n" : " from \(removed.joined(separator: ", "))\n"))
                await opened.database.close()
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show which tables are captured and the log's state.")

        @OptionGroup var options: DatabaseOptionGroup

        func run() async throws {
            try await CLIErrors.reporting {
                let (config, embedded) = try options.load(embeddedDefaultIfEmpty: true)
                let opened = try await GatewayDatabase.open(
                    config, embedded: embedded, migrations: options.migrationsDirectory)
                let db = opened.database
                let log = ChangeLog(dialect: db.dialect)
                if try await log.isInstalled(db) {
                    let captured = try await log.capturedTables(db)
                    let progress = try await log.progress(db)
                    Output.write(
                        """
                        change capture: installed
                        captured tables: \(captured.isEmpty ? "none" : captured.joined(separator: ", "))
                        log: \(try await log.size(db)) records; broadcast up to \(progress.position), \
                        pruned up to \(progress.pruned)

                        """)
                } else {
                    Output.write("change capture: not installed\n")
                }
                await db.close()
            }
        }
    }

    /// The exported tables to capture: the arguments, else the configuration's.
    static func chosen(_ names: [String], config: GatewayConfiguration, plan: ExportPlan) throws -> [String] {
        let exported = plan.tables.map(\.name)
        if !names.isEmpty {
            for n in names where !exported.contains(n) {
                throw ConfigurationError(
                    "'\(n)' is not an exported table", hint: "exported tables: \(exported.joined(separator: ", "))")
            }
            return names
        }
        guard let changes = config.changes else {
            throw ConfigurationError(
                "no tables to capture",
                hint:
                    "name them (dabroker changes install person project) or add `changes: {tables: [...]}` to --config")
        }
        return exported.filter(changes.captures)
    }
}
