import ArgumentParser
import DaBrokerCore
import DaBrokerHTTP
import DaBrokerSQL
import DaBrokerServer
import Foundation
import Logging
import ServiceLifecycle

/// `dabroker serve`: reflect the database, export it as configured, and serve until
/// SIGINT/SIGTERM, then drain and stop.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a database to DaBroker clients (with no options: the embedded SQLite demo over HTTP).")

    @OptionGroup var options: DatabaseOptionGroup

    @Option(name: .long, help: "Serve over RabbitMQ too: amqp://user:pass@host:port/vhost.")
    var amqp: String?

    @Option(name: .long, help: "The HTTP address to bind (default 127.0.0.1).")
    var httpHost: String?

    @Option(name: .long, help: "The HTTP port (default 8080; 0 picks a free one).")
    var httpPort: Int?

    @Flag(name: .long, help: "Do not serve HTTP (only AMQP).")
    var noHttp = false

    @Option(name: .long, help: "A file whose first line is the access-code secret.")
    var secretFile: String?

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(name: .long, help: "text (default) or json (one JSON object per line).")
    var logFormat: String = "text"

    @Option(name: .long, help: "Serve /metrics, /readyz and /healthz on this port too (operations.admin_port).")
    var adminPort: Int?

    @Flag(name: .long, help: "Apply pending migrations before serving.")
    var migrate = false

    func run() async throws {
        // Before the gateway's threads exist: a burst's freed heap goes back to the system.
        AllocatorSettings.applyServerDefaults()
        try await CLIErrors.reporting {
            guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
                throw ConfigurationError(
                    "--log-level '\(logLevel)' is not a level", hint: "use trace, debug, info, notice, warning or error"
                )
            }
            guard logFormat == "text" || logFormat == "json" else {
                throw ConfigurationError("--log-format '\(logFormat)' is not a format", hint: "use text or json")
            }
            let json = logFormat == "json"
            LoggingSystem.bootstrap(
                { label, provider in
                    var handler: any LogHandler =
                        json
                        ? JSONLogHandler.standardError(label: label, metadataProvider: provider)
                        : DeferredMetadataLogHandler(
                            StreamLogHandler.standardError(label: label, metadataProvider: provider))
                    handler.logLevel = level
                    return handler
                }, metadataProvider: RequestContext.loggingMetadata)
            let logger = Logger(label: "dabroker")
            var (config, embedded) = try options.load(embeddedDefaultIfEmpty: true)
            try applyFlags(to: &config, embedded: embedded)
            let gateway = try await Gateway.make(
                config, embedded: embedded, migrations: options.migrationsDirectory, migrate: migrate, logger: logger)
            Output.write(gateway.summary)
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: gateway.server)]
                        + (gateway.schemaWatch.map { [.init(service: $0)] } ?? [])
                        + (gateway.changeFeed.map { [.init(service: $0)] } ?? [])
                        + gateway.operationServices.map { .init(service: $0) },
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            try await group.run()
            await gateway.database.close()
            logger.info("stopped")
        }
    }

    private func applyFlags(to config: inout GatewayConfiguration, embedded: Bool) throws {
        if let amqp {
            try ConfigurationLoader.checkAMQPURL(amqp, at: nil, source: "--amqp")
            var a = config.amqp ?? .init()
            a.url = amqp
            config.amqp = a
        }
        if noHttp {
            config.http = nil
        } else if httpHost != nil || httpPort != nil || (config.http == nil && config.amqp == nil) {
            var h = config.http ?? .init()
            if let httpHost { h.host = httpHost }
            if let httpPort {
                guard (0...65535).contains(httpPort) else {
                    throw ConfigurationError("--http-port \(httpPort) is not a port (0…65535)")
                }
                h.port = httpPort
            }
            config.http = h
        }
        if let adminPort {
            guard (0...65535).contains(adminPort) else {
                throw ConfigurationError("--admin-port \(adminPort) is not a port (0…65535)")
            }
            config.operations.adminPort = adminPort
        }
        if let secretFile { config.secretFile = secretFile }
        if let path = config.secretFile {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                let line = text.split(whereSeparator: \.isNewline).first, !line.isEmpty
            else {
                throw ConfigurationError(
                    "cannot read a secret from '\(path)'", at: config.origins["secret_file"],
                    hint: "the file's first line is the secret; make it readable by the service user only")
            }
            config.secret = String(line)
        }
        if config.http == nil, config.amqp == nil {
            throw ConfigurationError("no transport to serve on", hint: "configure http and/or amqp, or drop --no-http")
        }
    }
}
