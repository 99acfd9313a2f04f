import DaBrokerAMQP
import DaBrokerConsole
import DaBrokerCore
import DaBrokerHTTP
import DaBrokerREST
import DaBrokerSQL
import DaBrokerServer
import Logging
import ServiceLifecycle

/// A configured gateway, ready to run: the database, the export plan, the server with its
/// SQL loader and transports, and the schema watch (unless `schema.check` is off).
struct Gateway {
    var database: Database
    var plan: ExportPlan
    var server: BrokerServer
    var schemaWatch: SchemaWatch?
    var changeFeed: ChangeFeed?
    /// The readiness monitor and the admin listener, to run beside the server.
    var operationServices: [any Service] = []
    var summary: String

    static func make(
        _ config: GatewayConfiguration, embedded: Bool, migrations: String, migrate: Bool, logger: Logger
    ) async throws -> Gateway {
        let opened = try await GatewayDatabase.open(
            config, embedded: embedded, migrations: migrations, migrate: migrate)
        let plan: ExportPlan
        do {
            plan = try ExportPlan(
                configuration: config, model: opened.model, databaseKind: opened.database.kind.rawValue)
        } catch {
            await opened.database.close()
            throw error
        }
        var serverConfiguration = BrokerServerConfiguration(
            secret: config.secret, maxConcurrentRequests: config.limits.requestConcurrency,
            maxFindLimit: config.limits.maxFindLimit, purgeOnStart: config.amqp?.purge ?? false, logger: logger)
        serverConfiguration.requestLimits.maxMessageBytes = config.limits.maxMessageBytes
        serverConfiguration.decimals = config.wire.decimals
        let operations = GatewayOperations(config.operations, logger: logger)
        serverConfiguration.metrics = operations.metrics
        let server = BrokerServer(configuration: serverConfiguration)
        let root = try server.addDataRoot(className: "root")
        let loader = try SQLLoader(database: opened.database, broker: server, model: opened.model, id: config.loaderID)
        for table in plan.tables {
            try loader.addModel(
                table.name, into: root, rw: table.mode, hide: Set(table.hidden), cached: table.cached)
        }
        let amqpTransport = try config.amqp.map {
            try AMQPServerFactory.make($0, limits: config.limits, logger: logger)
        }
        let (monitor, endpoints) = operations.attach(
            server: server, database: opened.database, amqp: amqpTransport as? AMQPServerTransport,
            databaseName: opened.database.kind.rawValue)
        var services: [any Service] = [monitor]
        var lines = ["dabroker: serving \(URLRedaction.redacted(config.database ?? "")) (\(plan.database))"]
        if let http = config.http {
            let transport = HTTPServerTransport(
                configuration: .init(
                    host: http.host, port: http.port, bearerToken: http.token, maxBodyBytes: http.maxBodyBytes,
                    maxConcurrentRequests: config.limits.requestConcurrency,
                    headerTimeout: .seconds(http.headerTimeoutSeconds), bodyTimeout: .seconds(http.bodyTimeoutSeconds),
                    idleTimeout: .seconds(http.idleTimeoutSeconds), drainTimeout: .seconds(http.drainTimeoutSeconds)),
                logger: logger, operations: endpoints)
            operations.watch(transport)
            server.addTransport(transport)
            lines.append("  http: http://\(http.host):\(http.port)  (POST /rpc, GET /events, /metrics, /readyz)")
            if config.rest.enabled {
                let rest = RESTConfiguration(prefix: config.rest.prefix, requireIfMatch: config.rest.requireIfMatch)
                transport.mount(RESTFace(server: server, loader: loader, configuration: rest))
                lines.append(
                    "  rest: http://\(http.host):\(http.port)\(rest.prefix)/  (OpenAPI: \(rest.prefix)/openapi.json)")
            }
            if config.consoleEnabled {
                if config.rest.enabled {
                    transport.mount(ConsoleRoute(api: config.rest.prefix))
                    lines.append("  console: http://\(http.host):\(http.port)/console/")
                } else {
                    lines.append("  console: off (it needs the REST face; rest is switched off)")
                }
            }
        }
        if let admin = operations.adminServer(endpoints: endpoints, server: server, httpToken: config.http?.token) {
            services.append(admin)
            let port = config.operations.adminPort ?? 0
            lines.append("  admin: http://\(config.operations.adminHost):\(port)  (GET /metrics, /readyz, /healthz)")
        }
        if let amqp = config.amqp, let amqpTransport {
            server.addTransport(amqpTransport)
            lines.append("  amqp: \(URLRedaction.redacted(amqp.url)) queue \(amqp.queue)")
        }
        switch config.wire.decimals {
        case .exact:
            lines.append("  decimals: exact (the Dec extension; clients of the original DaBroker cannot read it)")
        case .string:
            lines.append("  decimals: as strings (wire.decimals: string, for clients of the original DaBroker)")
        }
        if config.secret == nil {
            lines.append("  warning: no secret configured: access codes die with this process")
        }
        for t in plan.tables {
            var line = "  \(t.name): \(t.mode.rawValue), \(t.fields.count) fields"
            if !t.refs.isEmpty { line += ", refs " + t.refs.map(\.name).joined(separator: ", ") }
            if !t.backrefs.isEmpty { line += ", backrefs " + t.backrefs.map(\.name).joined(separator: ", ") }
            if !t.hidden.isEmpty { line += ", hidden " + t.hidden.joined(separator: ", ") }
            lines.append(line)
            for n in t.notices { lines.append("    notice: \(n)") }
        }
        for n in plan.notices { lines.append("  notice: \(n)") }
        var feed: ChangeFeed?
        if let changes = config.changes {
            let tables = plan.tables.map(\.name).filter(changes.captures)
            let missing = tables.filter { !(opened.captured ?? []).contains($0) }
            guard missing.isEmpty else {
                await opened.database.close()
                throw ConfigurationError(
                    "changes: \(missing.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") not captured",
                    at: config.origins["changes"],
                    hint: "install the triggers first: dabroker changes install (with the same --config)")
            }
            var c = ChangeFeed.Configuration(tables: Set(tables))
            c.poll = .milliseconds(Int(changes.pollSeconds * 1000))
            c.retentionSeconds = changes.retentionSeconds
            c.leaseSeconds = changes.leaseSeconds
            feed = ChangeFeed(loader: loader, server: server, configuration: c, logger: logger)
            let how =
                opened.database.kind == .postgres
                ? "woken by NOTIFY" : "polled every \(changes.pollSeconds) s"
            lines.append("  changes: broadcasting outside changes of \(tables.joined(separator: ", ")) (\(how))")
        }
        var watch: SchemaWatch?
        if let seconds = config.schema.checkSeconds {
            var reload: (@Sendable () async throws -> Void)?
            if config.schema.reload {
                reload = operations.counting { [loader, config, logger] in
                    try await Self.reload(loader, config, logger: logger)
                }
            }
            watch = SchemaWatch(
                database: opened.database, fingerprint: opened.model.schema.fingerprint,
                interval: .milliseconds(Int(seconds * 1000)), logger: logger, reload: reload)
        }
        return Gateway(
            database: opened.database, plan: plan, server: server, schemaWatch: watch, changeFeed: feed,
            operationServices: services, summary: lines.joined(separator: "\n") + "\n")
    }

    /// Reflects the database again and serves what the configuration exports of it.
    static func reload(_ loader: SQLLoader, _ config: GatewayConfiguration, logger: Logger) async throws {
        let model = try await GatewayDatabase.reflect(loader.database, config)
        let plan = try ExportPlan(configuration: config, model: model, databaseKind: loader.database.kind.rawValue)
        let changed = try await loader.reload(
            model,
            exports: plan.tables.map {
                SQLLoader.Export($0.name, rw: $0.mode, hide: Set($0.hidden), cached: $0.cached)
            })
        for n in plan.notices { logger.notice("\(n)") }
        logger.notice("schema reloaded; changed tables: \(changed.isEmpty ? "none" : changed.joined(separator: ", "))")
    }
}
