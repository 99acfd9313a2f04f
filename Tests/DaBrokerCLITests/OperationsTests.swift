import DaBrokerTestSupport
import Foundation
import Testing

/// `dabroker serve` as an operator runs it: `/metrics` counts exactly the calls made over
/// HTTP and AMQP, `/readyz` follows the database, JSON log lines carry the request id.
@Suite("operations: metrics, readiness, logs", .serialized)
struct OperationsTests {
    static var enabled: Bool { TestServices.isAvailable(.postgres) && TestServices.isAvailable(.amqp) }

    /// A fresh PostgreSQL database with the demo schema, and a configuration file for it.
    private static func prepare(_ name: String, database: (String) -> String, extra: String) async throws -> URL {
        let pg = try TestServices.url(for: .postgres)
        try await ChinookCLIFixture.shell(["psql", pg, "-q", "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
        try await ChinookCLIFixture.shell(["psql", pg, "-q", "-c", "CREATE DATABASE \(name)"])
        let direct = ChinookCLIFixture.replacingDatabase(pg, with: name)
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid()).yaml")
        try "database: \(direct)\n".write(to: config, atomically: true, encoding: .utf8)
        let migrate = try await ChildProcess.run(
            ["migrate", "--config", config.path, "--migrations", CLITestPaths.migrations])
        #expect(migrate.status == 0, "\(migrate.err)")
        let yaml = """
            database: \(database(direct))
            secret: ops-test-secret
            schema:
              check: null
            tables:
              person:
                rw: true
                hide: [password_hash]
            \(extra)
            """
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        return config
    }

    @Test(.enabled(if: enabled)) func metricsCountCallsOverHTTPAndAMQP() async throws {
        let amqp = try TestServices.url(for: .amqp)
        let queue = "ops_q_\(getpid())"
        let exchange = "ops_x_\(getpid())"
        let token = "ops-token"
        let config = try await Self.prepare(
            "cli_ops_metrics", database: { $0 },
            extra: """
                http:
                  port: 0
                  token: \(token)
                amqp:
                  url: \(amqp)
                  queue: \(queue)
                  exchange: \(exchange)
                """)
        defer { try? FileManager.default.removeItem(at: config) }
        let server = try ChildProcess(
            ["serve", "--config", config.path, "--log-format", "json", "--log-level", "debug"])
        defer { server.signal(SIGTERM) }
        let started = try #require(await server.waitForStderr(containing: "HTTP transport listening"))
        let port = try #require(OperationsProbe.jsonLoggedPort(started))
        let ready = try await OperationsProbe.waitForReadiness(port: port, status: 200, token: token)
        #expect(ready.status == 200, "readyz: \(ready.body)")

        // Behind the token like every endpoint.
        #expect(try await OperationsProbe.call(port: port, "/metrics").status == 401)

        let before = try await OperationsProbe.scrape(port: port, token: token)
        var ids: [String] = []
        for _ in 0..<3 {
            let r = try await OperationsProbe.call(
                port: port, "/rpc", post: #"{"data":{"_m":"echo","_a":{"_o":"LIST","_d":[7]}}}"#, token: token)
            #expect(r.status == 200 && r.body.contains("7"))
            ids.append(try #require(r.requestID))
        }
        for _ in 0..<2 {
            _ = try await OperationsProbe.call(port: port, "/rpc", post: #"{"data":{"_m":"ping"}}"#, token: token)
        }
        // A method nobody knows: counted as "other", its name never becomes a label.
        let odd = try await OperationsProbe.call(
            port: port, "/rpc", post: #"{"data":{"_m":"zz_secret_method"}}"#, token: token)
        #expect(odd.body.contains("UnknownCommand"))
        let env = ["DABROKER_AMQP_QUEUE": queue, "DABROKER_AMQP_EXCHANGE": exchange]
        for _ in 0..<2 {
            let call = try await ChildProcess.run(
                ["call", "--amqp", amqp, "--compact", "--timeout", "10", "echo", "42"], environment: env)
            #expect(call.out.trimmingCharacters(in: .whitespacesAndNewlines) == "42", "\(call.err)")
        }
        let after = try await OperationsProbe.scrape(port: port, token: token)
        func delta(_ series: String) -> Double { (after[series] ?? 0) - (before[series] ?? 0) }

        #expect(delta(#"dabroker_requests_total{method="echo",transport="http",outcome="ok"}"#) == 3)
        #expect(delta(#"dabroker_requests_total{method="ping",transport="http",outcome="ok"}"#) == 2)
        #expect(delta(#"dabroker_requests_total{method="other",transport="http",outcome="client_error"}"#) == 1)
        #expect(delta(#"dabroker_requests_total{method="echo",transport="amqp",outcome="ok"}"#) == 2)
        #expect(delta(#"dabroker_request_duration_seconds_count{method="echo"}"#) == 5)
        #expect(delta(#"dabroker_request_duration_seconds_count{method="other"}"#) == 1)
        #expect(!after.keys.contains { $0.contains("zz_secret_method") })
        #expect(after[#"dabroker_pool_size{database="postgres"}"#] ?? 0 >= 1)
        #expect(after["dabroker_amqp_connected"] == 1)
        #expect(after["dabroker_requests_in_flight"] == 0)
        #expect(after["dabroker_request_limit"] ?? 0 >= 1)

        // The request id of the reply's header is in that request's log lines, which parse.
        let id = try #require(ids.first)
        let logged = try #require(await server.waitForStderr(containing: id))
        let lines = logged.split(separator: "\n").filter { $0.contains(id) }
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let fields = try #require(object, "not a JSON object: \(line)")
            #expect(fields["request_id"] as? String == id)
            #expect(fields["method"] as? String == "echo")
            #expect(fields["level"] != nil && fields["time"] != nil && fields["logger"] != nil)
            #expect(fields["message"] != nil)
        }
    }

    @Test(.enabled(if: enabled)) func adminPortServesAnAMQPOnlyGateway() async throws {
        let amqp = try TestServices.url(for: .amqp)
        let queue = "ops_qa_\(getpid())"
        let exchange = "ops_xa_\(getpid())"
        let config = try await Self.prepare(
            "cli_ops_admin", database: { $0 },
            extra: """
                amqp:
                  url: \(amqp)
                  queue: \(queue)
                  exchange: \(exchange)
                operations:
                  admin_port: 0
                  admin_token: adm
                """)
        defer { try? FileManager.default.removeItem(at: config) }
        let server = try ChildProcess(["serve", "--config", config.path])
        defer { server.signal(SIGTERM) }
        let seen = try #require(await server.waitForStderr(containing: "admin HTTP listening"))
        let line = try #require(seen.split(separator: "\n").first { $0.contains("admin HTTP listening") })
        let field = try #require(line.split(separator: " ").first { $0.hasPrefix("port=") })
        let port = try #require(Int(field.dropFirst("port=".count)))
        #expect(try await OperationsProbe.call(port: port, "/metrics").status == 401)
        #expect(try await OperationsProbe.call(port: port, "/rpc", token: "adm").status == 404)
        let ready = try await OperationsProbe.waitForReadiness(port: port, status: 200, token: "adm")
        #expect(ready.status == 200, "readyz: \(ready.body)")
        let before = try await OperationsProbe.scrape(port: port, token: "adm")
        let env = ["DABROKER_AMQP_QUEUE": queue, "DABROKER_AMQP_EXCHANGE": exchange]
        let call = try await ChildProcess.run(
            ["call", "--amqp", amqp, "--compact", "--timeout", "10", "echo", "1"], environment: env)
        #expect(call.status == 0, "\(call.err)")
        let after = try await OperationsProbe.scrape(port: port, token: "adm")
        let echo = #"dabroker_requests_total{method="echo",transport="amqp",outcome="ok"}"#
        #expect((after[echo] ?? 0) - (before[echo] ?? 0) == 1)
        #expect(after["dabroker_amqp_connected"] == 1)
    }

    @Test(.enabled(if: TestServices.isAvailable(.postgres)))
    func readinessFollowsTheDatabase() async throws {
        let pg = try TestServices.url(for: .postgres)
        let target = try #require(URLComponents(string: pg))
        let forwarder = try await TCPForwarder(targetHost: target.host ?? "127.0.0.1", targetPort: target.port ?? 5432)
        let config = try await Self.prepare(
            "cli_ops_ready",
            database: { url in
                var c = URLComponents(string: url)
                c?.port = forwarder.port
                return c?.string ?? url
            },
            extra: """
                http:
                  port: 0
                operations:
                  readiness_check: 0.2
                """)
        defer { try? FileManager.default.removeItem(at: config) }
        let server = try ChildProcess(["serve", "--config", config.path])
        let port = try #require(await server.waitForHTTPPort())
        let up = try await OperationsProbe.waitForReadiness(port: port, status: 200, token: nil)
        #expect(up.status == 200, "readyz: \(up.body)")

        await forwarder.close()
        let down = try await OperationsProbe.waitForReadiness(port: port, status: 503, token: nil)
        #expect(down.status == 503)
        #expect(down.body.contains("database"), "\(down.body)")
        // Liveness is not readiness: the process still runs.
        #expect(try await OperationsProbe.call(port: port, "/healthz").status == 200)

        try await forwarder.reopen()
        let again = try await OperationsProbe.waitForReadiness(port: port, status: 200, token: nil)
        #expect(again.status == 200, "readyz: \(again.body)")
        let call = try await OperationsProbe.call(port: port, "/rpc", post: #"{"data":{"_m":"root"}}"#)
        #expect(call.body.contains("person"))

        server.signal(SIGTERM)
        _ = await server.finish(timeout: 20)
        await forwarder.shutdown()
    }
}
