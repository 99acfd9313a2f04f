import DaBrokerTestSupport
import Foundation
import Testing
import Yams

@testable import DaBrokerCLI

/// `docker-compose.yml` is valid (checked by Debian's docker-compose, which needs no engine)
/// and agrees with the docs: services, ports and environment.
@Suite("docker-compose stack")
struct ComposeFileTests {
    static var hasDockerCompose: Bool {
        TestServices.isCI || FileManager.default.isExecutableFile(atPath: "/usr/bin/docker-compose")
    }

    @Test(.enabled(if: hasDockerCompose)) func composeFileIsValidAndDocumented() async throws {
        let file = CLITestPaths.root.appendingPathComponent("docker-compose.yml").path
        let result = try await ComposeRunner.config(file: file)
        #expect(result.status == 0, "docker-compose config failed: \(result.err)")
        let node = try #require(try Yams.load(yaml: result.out) as? [String: Any])
        let services = try #require(node["services"] as? [String: Any])
        #expect(Set(services.keys) == ["postgres", "mariadb", "rabbitmq", "gateway"])
        for (name, s) in services {
            let service = try #require(s as? [String: Any])
            #expect(service["healthcheck"] != nil, "\(name) has a health check")
        }
        let gateway = try #require(services["gateway"] as? [String: Any])
        let env = try #require(gateway["environment"] as? [String: Any])
        let configurationDoc = try String(
            contentsOf: CLITestPaths.root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        for key in env.keys {
            #expect(configurationDoc.contains(key), "\(key) is documented in docs/configuration.md")
        }
        #expect(env.keys.contains("DABROKER_DATABASE_URL"))
        let ports = String(describing: gateway["ports"] ?? "")
        #expect(ports.contains("8080"))
        let rabbit = String(describing: (services["rabbitmq"] as? [String: Any])?["ports"] ?? "")
        #expect(rabbit.contains("15672") && rabbit.contains("5672"))
        let operations = try String(
            contentsOf: CLITestPaths.root.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        #expect(operations.contains("15672") && operations.contains("8080"))
        // The gateway's configuration file exists and parses.
        let deployed = CLITestPaths.root.appendingPathComponent("deploy/dabroker.compose.yaml").path
        let config = try ConfigurationLoader(environment: [:]).load(path: deployed)
        #expect(config.amqp != nil && config.http?.port == 8080)
    }
}

enum ComposeRunner {
    static func config(file: String) async throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["docker-compose", "-f", file, "config"]
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        // Waiting for the process blocks: off the cooperative pool.
        return try await TestStack.onThread { () throws -> (Int32, String, String) in
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return (p.terminationStatus, String(decoding: data, as: UTF8.self), e)
        }
    }
}
