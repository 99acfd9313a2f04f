import DaBrokerSQL
import Foundation
import Testing

@testable import DaBrokerCLI

/// Every configuration mistake is reported with file, line and what to do, before anything
/// starts.
@Suite("Configuration mistakes")
struct ConfigurationErrorTests {
    let loader = ConfigurationLoader(environment: [:])

    func error(_ yaml: String) -> ConfigurationError? {
        do {
            _ = try loader.parse(yaml: yaml, file: "gw.yaml")
            return nil
        } catch let e as ConfigurationError {
            return e
        } catch {
            return ConfigurationError("unexpected \(error)")
        }
    }

    @Test func unknownTopLevelKey() throws {
        let e = try #require(error("database: sqlite:x.db\ndatabse: sqlite:y.db\n"))
        #expect(e.location?.line == 2)
        #expect(e.message.contains("unknown key 'databse'"))
        #expect(e.hint?.contains("database") == true)
        #expect(e.description.hasPrefix("gw.yaml:2:1: error:"))
    }

    @Test func unknownTableKey() throws {
        let e = try #require(error("tables:\n  person:\n    rw: true\n    hidden: [x]\n"))
        #expect(e.location?.line == 4)
        #expect(e.message == "unknown key 'hidden' in tables.person")
        #expect(e.hint?.contains("hide") == true)
    }

    @Test func wrongTypes() throws {
        let port = try #require(error("http:\n  port: eighty\n"))
        #expect(port.message.contains("http.port must be a whole number"))
        #expect(port.location?.line == 2)
        let range = try #require(error("http:\n  port: 70000\n"))
        #expect(range.message.contains("outside 0…65535"))
        let rw = try #require(error("tables:\n  t:\n    rw: sometimes\n"))
        #expect(rw.message.contains("tables.t.rw must be null, false or true"))
        let timeout = try #require(error("limits:\n  call_timeout: -3\n"))
        #expect(timeout.message.contains("limits.call_timeout must be a positive number"))
        let check = try #require(error("schema:\n  check: 0\n"))
        #expect(check.message.contains("schema.check must be a positive number"))
        let reload = try #require(error("schema:\n  reload: sometimes\n"))
        #expect(reload.message.contains("schema.reload"))
        #expect(reload.location?.line == 2)
        let unknown = try #require(error("schema:\n  interval: 5\n"))
        #expect(unknown.message == "unknown key 'interval' in schema")
        let top = try #require(error("- a\n- b\n"))
        #expect(top.message.contains("the top level must be a mapping"))
    }

    @Test func badURLs() throws {
        let db = try #require(error("database: postgress://u:secret@db/x\n"))
        #expect(db.message.contains("is not a database URL"))
        #expect(!db.message.contains("secret"), "passwords never appear in messages")
        #expect(db.location?.line == 1)
        let amqp = try #require(error("amqp:\n  url: http://rabbit/\n"))
        #expect(amqp.message.contains("is not an AMQP URL"))
        #expect(amqp.location?.line == 2)
        #expect(throws: ConfigurationError.self) {
            var c = GatewayConfiguration()
            try ConfigurationLoader(environment: ["DABROKER_DATABASE_URL": "nonsense"]).applyEnvironment(to: &c)
        }
    }

    @Test func syntaxAndDuplicates() throws {
        let syntax = try #require(error("tables:\n  person: [unclosed\n"))
        #expect(syntax.message.hasPrefix("invalid YAML"))
        #expect(syntax.location != nil)
        let dup = try #require(error("tables:\n  t:\n    rw: true\n    rw: false\n"))
        #expect(dup.message.contains("'rw' is given twice"))
        #expect(dup.location?.line == 4)
    }

    @Test func modesAndEnvironment() throws {
        let c = try loader.parse(
            yaml: "export:\n  rw: null\ntables:\n  a:\n    rw: true\n  b:\n    rw: false\n", file: "x")
        #expect(c.export.mode == .none)
        #expect(c.tables["a"]?.mode == .readWrite)
        #expect(c.tables["b"]?.mode == .readOnly)
        var env = c
        try ConfigurationLoader(environment: [
            "DABROKER_DATABASE_URL": "sqlite::memory:", "DABROKER_SECRET": "s", "DABROKER_AMQP_URL": "amqp://h/%2f",
        ]).applyEnvironment(to: &env)
        #expect(env.database == "sqlite::memory:")
        #expect(env.secret == "s")
        #expect(env.amqp?.url == "amqp://h/%2f")
    }

    /// Mistakes that need the schema: unknown table, unknown hidden column, hidden primary key.
    @Test func mistakesAgainstTheSchema() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cli-conf-\(getpid()).sqlite").path
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try await Database.open(url: "sqlite:" + path)
        _ = try await db.withConnection { try await Migrator(directory: CLITestPaths.migrations).migrate($0) }
        let schema = try await db.withConnection { try await SchemaReflector.reflect($0) }
        await db.close()
        let model = ReflectedModel(schema: schema)
        func planError(_ yaml: String) throws -> ConfigurationError {
            let c = try loader.parse(yaml: yaml, file: "gw.yaml")
            do {
                _ = try ExportPlan(configuration: c, model: model, databaseKind: "sqlite")
            } catch let e as ConfigurationError {
                return e
            }
            throw ConfigurationError("no error for \(yaml)")
        }
        let table = try planError("tables:\n  persons:\n    rw: true\n")
        #expect(table.message == "tables.persons: the database has no table 'persons'")
        #expect(table.location?.line == 2)
        #expect(table.hint?.contains("person") == true)
        let column = try planError("tables:\n  person:\n    hide: [passwd]\n")
        #expect(column.message.contains("names column 'passwd', which table person does not have"))
        #expect(column.location?.line == 3)
        #expect(column.hint?.contains("password_hash") == true)
        let pk = try planError("tables:\n  person:\n    hide: [id]\n")
        #expect(pk.message.contains("hides 'id', a primary-key column of person"))
        let ok = try ExportPlan(
            configuration: try loader.parse(yaml: "tables:\n  person:\n    hide: [password_hash]\n", file: "x"),
            model: model, databaseKind: "sqlite")
        #expect(ok.table("person")?.fields.map(\.name).contains("password_hash") == false)
        #expect(ok.table("dabroker_migrations") == nil)
    }
}
