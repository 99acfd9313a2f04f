import DaBrokerSQL
import Foundation

/// An opened, reflected database, ready to export.
struct GatewayDatabase {
    var database: Database
    var model: ReflectedModel
    /// With `changes:` configured, the tables that have capture triggers (nil otherwise).
    var captured: [String]?

    /// Opens the configured database (creating and migrating the embedded demo database when
    /// it does not exist yet) and reflects it with the configuration's naming overrides.
    static func open(
        _ config: GatewayConfiguration, embedded: Bool, migrations: String, migrate: Bool = false
    ) async throws -> GatewayDatabase {
        let url = config.database ?? ""
        var options = DatabaseOptions()
        options.maxConnections = config.limits.poolSize
        // Serving leaves a SQLite file's journal mode as it is unless configured.
        options.sqliteJournalMode = config.sqliteJournalMode
        if let s = config.limits.statementTimeoutSeconds { options.statementTimeout = .milliseconds(Int(s * 1000)) }
        let freshDemo = embedded && !FileManager.default.fileExists(atPath: EmbeddedDefault.databaseFile)
        var captured: [String]?
        if config.changes != nil {
            // The gateway's connections mark their writes for the change log, once it exists.
            let probe = try await Database.open(url: url)
            let log = ChangeLog(dialect: probe.dialect)
            do {
                if try await log.isInstalled(probe) {
                    captured = try await log.capturedTables(probe)
                    options.sessionSetup = ChangeLog.sessionSetup(for: probe.kind)
                } else {
                    captured = []
                }
            } catch {
                await probe.close()
                throw error
            }
            await probe.close()
        }
        let db = try await Database.open(url: url, options: options)
        if migrate || freshDemo {
            let migrator = Migrator(directory: migrations)
            _ = try await db.withConnection { conn in try await migrator.migrate(conn) }
        }
        return GatewayDatabase(database: db, model: try await reflect(db, config), captured: captured)
    }

    /// Reflects `database` with the configuration's naming overrides.
    static func reflect(_ database: Database, _ config: GatewayConfiguration) async throws -> ReflectedModel {
        let schema = try await SchemaReflector.reflect(database)
        var overrides = NamingOverrides()
        for (table, t) in config.tables {
            if !t.refNames.isEmpty {
                overrides.refs[table] = Dictionary(uniqueKeysWithValues: t.refNames.map { ($0, $1) })
            }
            if !t.backrefNames.isEmpty {
                overrides.backrefs[table] = Dictionary(uniqueKeysWithValues: t.backrefNames.map { ($0, $1) })
            }
        }
        return ReflectedModel(schema: schema, overrides: overrides)
    }
}
