import ArgumentParser

/// Where the configuration and database come from, shared by `serve`, `models` and `migrate`.
struct DatabaseOptionGroup: ParsableArguments {
    @Option(name: .long, help: "The YAML configuration file.")
    var config: String?

    @Option(name: .long, help: "The database URL (postgres://…, mysql://…, sqlite:PATH); overrides the file.")
    var database: String?

    @Option(name: .long, help: "The folder holding the sqlite/, postgres/ and mysql/ migration folders.")
    var migrations: String?

    /// The configuration: the file (or the embedded default), the environment, then flags.
    func load(embeddedDefaultIfEmpty: Bool) throws -> (GatewayConfiguration, isEmbeddedDefault: Bool) {
        let loader = ConfigurationLoader()
        var config: GatewayConfiguration
        var embedded = false
        if let path = self.config {
            config = try loader.load(path: path)
        } else {
            config = GatewayConfiguration()
            try loader.applyEnvironment(to: &config)
            if config.database == nil, database == nil, embeddedDefaultIfEmpty {
                config = EmbeddedDefault.configuration
                try loader.applyEnvironment(to: &config)
                embedded = true
            }
        }
        if let database {
            try ConfigurationLoader.checkDatabaseURL(database, at: nil, source: "--database")
            config.database = database
        }
        guard config.database != nil else {
            throw ConfigurationError(
                "no database given",
                hint: "pass --database URL, set DABROKER_DATABASE_URL, or give `database:` in --config")
        }
        return (config, embedded)
    }

    /// The migrations folder: the flag, `DABROKER_MIGRATIONS`, `./migrations`, or the one
    /// beside the source checkout the binary was built in.
    var migrationsDirectory: String { EmbeddedDefault.migrationsDirectory(flag: migrations) }
}
