import DaBrokerCore
import DaBrokerSQL
import Foundation
import OrderedCollections
import Yams

/// Reads a gateway configuration from YAML and applies environment overrides.
///
/// Every mistake — an unknown key, a wrong type, a bad value — is a `ConfigurationError`
/// that names the file and line and says what is expected.
public struct ConfigurationLoader: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Reads and checks the file at `path`, then applies the environment.
    public func load(path: String) throws -> GatewayConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(
                "cannot read configuration file '\(path)'",
                hint: "check the path given to --config, or run without --config for the embedded default")
        }
        var config = try parse(yaml: text, file: path)
        try applyEnvironment(to: &config)
        return config
    }

    /// Parses YAML text; `file` is used in messages.
    public func parse(yaml: String, file: String) throws -> GatewayConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigurationError(
                Self.describe(error, file: file).0, at: Self.describe(error, file: file).1,
                hint: "fix the YAML syntax")
        } catch {
            throw ConfigurationError("invalid YAML in \(file): \(error)")
        }
        var config = GatewayConfiguration()
        guard let root else { return config }
        let reader = NodeReader(file: file)
        let top = try reader.mapping(root, path: "the top level")
        try reader.checkKeys(
            top,
            allowed: [
                "database", "loader_id", "secret", "secret_file", "http", "amqp", "limits", "schema", "export",
                "tables", "wire", "changes", "sqlite_journal_mode", "rest", "console", "operations",
            ],
            path: "the top level")
        for (key, node) in top {
            config.origins[key.string] = reader.location(node)
            switch key.string {
            case "database": config.database = try reader.string(node, path: "database")
            case "sqlite_journal_mode":
                let text = try reader.string(node, path: "sqlite_journal_mode")
                guard let mode = SQLiteJournalMode(rawValue: text.uppercased()) else {
                    throw ConfigurationError(
                        "sqlite_journal_mode '\(text)' is not a journal mode", at: reader.location(node),
                        hint: "one of "
                            + SQLiteJournalMode.allCases.map { $0.rawValue.lowercased() }.joined(separator: ", "))
                }
                config.sqliteJournalMode = mode
            case "loader_id":
                let id = try reader.string(node, path: "loader_id")
                guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                    throw ConfigurationError(
                        "loader_id '\(id)' must be a non-empty word (letters, digits, _ and -)",
                        at: reader.location(node))
                }
                config.loaderID = id
            case "secret": config.secret = try reader.string(node, path: "secret")
            case "secret_file": config.secretFile = try reader.string(node, path: "secret_file")
            case "http": config.http = try parseHTTP(node, reader)
            case "amqp": config.amqp = try parseAMQP(node, reader)
            case "console": config.console = reader.isNull(node) ? nil : try reader.bool(node, path: "console")
            case "rest": config.rest = try parseREST(node, reader)
            case "limits": config.limits = try parseLimits(node, reader)
            case "schema": config.schema = try parseSchema(node, reader)
            case "export": config.export = try parseExport(node, reader)
            case "wire": config.wire = try parseWire(node, reader)
            case "changes": config.changes = try parseChanges(node, reader)
            case "operations": config.operations = try parseOperations(node, reader)
            case "tables": config.tables = try parseTables(node, reader, config: &config)
            default: break
            }
        }
        if let url = config.database { try Self.checkDatabaseURL(url, at: config.origins["database"]) }
        return config
    }

    /// Applies `DABROKER_DATABASE_URL`, `DABROKER_AMQP_URL`, `DABROKER_SECRET`, `DABROKER_HTTP_TOKEN`.
    public func applyEnvironment(to config: inout GatewayConfiguration) throws {
        if let url = environment["DABROKER_DATABASE_URL"], !url.isEmpty {
            try Self.checkDatabaseURL(url, at: nil, source: "DABROKER_DATABASE_URL")
            config.database = url
        }
        if let url = environment["DABROKER_AMQP_URL"], !url.isEmpty {
            try Self.checkAMQPURL(url, at: nil, source: "DABROKER_AMQP_URL")
            var amqp = config.amqp ?? .init()
            amqp.url = url
            config.amqp = amqp
        }
        if let secret = environment["DABROKER_SECRET"], !secret.isEmpty { config.secret = secret }
        if let token = environment["DABROKER_HTTP_TOKEN"], !token.isEmpty {
            var http = config.http ?? .init()
            http.token = token
            config.http = http
        }
    }

    /// Checks that `url` names a database DaBroker can open.
    public static func checkDatabaseURL(_ url: String, at location: SourceLocation?, source: String = "database")
        throws
    {
        let schemes = ["postgres://", "postgresql://", "mysql://", "mariadb://", "sqlite:"]
        guard schemes.contains(where: { url.lowercased().hasPrefix($0) }) else {
            throw ConfigurationError(
                "\(source) '\(URLRedaction.redacted(url))' is not a database URL", at: location,
                hint: "use postgres://user:pass@host:port/db, mysql://user:pass@host:port/db or sqlite:PATH")
        }
        if url.lowercased().hasPrefix("sqlite:") {
            if url.count <= "sqlite:".count {
                throw ConfigurationError(
                    "\(source) '\(url)' names no SQLite file", at: location, hint: "use sqlite:PATH or sqlite::memory:")
            }
        } else if URLComponents(string: url)?.host?.isEmpty ?? true {
            throw ConfigurationError(
                "\(source) '\(URLRedaction.redacted(url))' has no host", at: location,
                hint: "write it as scheme://user:password@host:port/database")
        }
    }

    /// Checks that `url` is an `amqp://` URL with a host.
    public static func checkAMQPURL(_ url: String, at location: SourceLocation?, source: String = "amqp.url") throws {
        guard url.lowercased().hasPrefix("amqp://"), URLComponents(string: url)?.host?.isEmpty == false else {
            throw ConfigurationError(
                "\(source) '\(URLRedaction.redacted(url))' is not an AMQP URL", at: location,
                hint: "use amqp://user:password@host:port/vhost (vhost / is %2f)")
        }
    }

    private static func describe(_ error: YamlError, file: String) -> (String, SourceLocation?) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return ("invalid YAML: \(problem)", SourceLocation(file: file, line: mark.line, column: mark.column))
        default:
            return ("invalid YAML: \(error)", nil)
        }
    }
}
