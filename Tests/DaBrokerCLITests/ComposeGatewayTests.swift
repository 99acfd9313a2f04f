import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing
import Yams

/// The gateway service of `docker-compose.yml`, run as the binary it builds would be run:
/// its command, its configuration file (the volume's source) and its environment, with the
/// database and RabbitMQ URLs pointed at the test stack. Its own health check command must
/// pass, and it must serve the configured tables over HTTP and AMQP.
@Suite("docker-compose gateway", .serialized)
struct ComposeGatewayTests {
    static var enabled: Bool {
        ComposeFileTests.hasDockerCompose && TestServices.isAvailable(.postgres) && TestServices.isAvailable(.amqp)
    }

    @Test(.enabled(if: enabled)) func gatewayServiceRunsAsConfigured() async throws {
        let file = CLITestPaths.root.appendingPathComponent("docker-compose.yml").path
        let result = try await ComposeRunner.config(file: file)
        #expect(result.status == 0, "docker-compose config failed: \(result.err)")
        let node = try #require(try Yams.load(yaml: result.out) as? [String: Any])
        let gateway = try #require((node["services"] as? [String: Any])?["gateway"] as? [String: Any])
        var command = try #require(gateway["command"] as? [String])
        let environment = try #require(gateway["environment"] as? [String: Any])
        let health = try #require((gateway["healthcheck"] as? [String: Any])?["test"] as? [String])

        // The mounted configuration file: the container path in the command becomes the source.
        for volume in gateway["volumes"] as? [Any] ?? [] {
            let (source, target): (String, String)
            if let v = volume as? [String: Any], let s = v["source"] as? String, let t = v["target"] as? String {
                (source, target) = (s, t)
            } else if let v = volume as? String {
                let parts = v.split(separator: ":").map(String.init)
                guard parts.count >= 2 else { continue }
                (source, target) = (parts[0], parts[1])
            } else {
                continue
            }
            let path = source.hasPrefix("/") ? source : CLITestPaths.root.appendingPathComponent(source).path
            command = command.map { $0 == target ? path : $0 }
        }
        #expect(command.first == "serve")
        #expect(command.contains { $0.hasSuffix("deploy/dabroker.compose.yaml") }, "the config file is mounted")

        // The same variables, with the test stack's servers in place of the compose hosts.
        let database = "compose_gateway"
        var env: [String: String] = [:]
        for (k, v) in environment { env[k] = "\(v)" }
        #expect(env["DABROKER_DATABASE_URL"] != nil && env["DABROKER_AMQP_URL"] != nil)
        env["DABROKER_DATABASE_URL"] = try await TestDatabases.create(.postgres, named: database)
        let amqp = try TestServices.url(for: .amqp)
        env["DABROKER_AMQP_URL"] = amqp

        let (dir, removeDir) = try CLITestPaths.freshDirectory("cli-compose")
        defer { removeDir() }
        let server = try ChildProcess(
            command, environment: env.merging(["DABROKER_MIGRATIONS": CLITestPaths.migrations]) { a, _ in a },
            directory: dir.path)
        let summary = await server.waitForOutput(containing: "project:")
        guard let summary else {
            let end = await server.finish(timeout: 5)
            try? await TestDatabases.drop(.postgres, named: database)
            Issue.record("the gateway did not start: \(end.err)")
            return
        }
        #expect(summary.contains("person: readWrite") && summary.contains("hidden password_hash"))
        #expect(summary.contains("amqp:") && summary.contains("http:"))
        #expect(summary.contains("decimals: exact"), "the start-up summary says how decimals travel")

        // The compose health check, exactly as written (its first element is CMD).
        let probe = Array(health.drop { $0 == "CMD" || $0 == "CMD-SHELL" })
        #expect(probe.first == "dabroker")
        // Docker repeats a failing check (`retries`); readiness needs the first database check
        // and the RabbitMQ connection, which follow the start-up summary by a moment.
        var healthy = try await ChildProcess.run(Array(probe.dropFirst()))
        for _ in 0..<40 where healthy.status != 0 {
            try await Task.sleep(for: .milliseconds(250))
            healthy = try await ChildProcess.run(Array(probe.dropFirst()))
        }
        #expect(healthy.status == 0, "the health check failed: \(healthy.out) \(healthy.err)")

        let http = try await ChildProcess.run(["count", "--http", "http://127.0.0.1:8080", "project"])
        #expect(http.status == 0 && http.out.trimmingCharacters(in: .whitespacesAndNewlines) == "4", "\(http.err)")
        let overAMQP = try await ChildProcess.run(["count", "--amqp", amqp, "person"])
        #expect(overAMQP.status == 0, "\(overAMQP.err)")
        #expect(Int(overAMQP.out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 > 0)

        server.signal(SIGTERM)
        let end = await server.finish(timeout: 30)
        #expect(end.status == 0, "\(end.err)")
        try await TestDatabases.drop(.postgres, named: database)
    }
}
