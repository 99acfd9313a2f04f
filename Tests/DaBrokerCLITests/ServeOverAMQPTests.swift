import DaBrokerTestSupport
import Foundation
import Testing

/// `dabroker serve` as a child process with a configuration against real PostgreSQL and
/// RabbitMQ, driven by the client commands; SIGTERM mid-load answers the calls in flight
/// and exits cleanly.
@Suite("dabroker serve over PostgreSQL and RabbitMQ", .serialized)
struct ServeOverAMQPTests {
    @Test(.enabled(if: TestServices.isAvailable(.postgres) && TestServices.isAvailable(.amqp)))
    func serveDriveAndStop() async throws {
        let pg = try TestServices.url(for: .postgres)
        let amqp = try TestServices.url(for: .amqp)
        let db = ChinookCLIFixture.replacingDatabase(pg, with: "cli_serve")
        try await ChinookCLIFixture.shell(["psql", pg, "-q", "-c", "DROP DATABASE IF EXISTS cli_serve WITH (FORCE)"])
        try await ChinookCLIFixture.shell(["psql", pg, "-q", "-c", "CREATE DATABASE cli_serve"])
        let queue = "cli_q_\(getpid())"
        let exchange = "cli_x_\(getpid())"
        let yaml = """
            database: \(db)
            secret: cli-test-secret
            amqp:
              url: \(amqp)
              queue: \(queue)
              exchange: \(exchange)
            tables:
              person:
                rw: true
                hide: [password_hash]
            """
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("cli-serve-\(getpid()).yaml")
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: config) }

        let migrate = try await ChildProcess.run(
            ["migrate", "--config", config.path, "--migrations", CLITestPaths.migrations])
        #expect(migrate.status == 0, "\(migrate.err)")
        #expect(migrate.out.contains("applied 001_demo_schema.sql"))
        let again = try await ChildProcess.run(
            ["migrate", "--config", config.path, "--migrations", CLITestPaths.migrations])
        #expect(again.out.contains("nothing to do"), "migrating twice changes nothing")

        let server = try ChildProcess(["serve", "--config", config.path, "--no-http"])
        #expect(await server.waitForOutput(containing: "person: readWrite") != nil)
        // The server connects to RabbitMQ after its summary: wait until it consumes.
        #expect(await server.waitForStderr(containing: "AMQP server transport consuming") != nil)
        let client = ["--amqp", amqp, "--compact", "--timeout", "10"]
        // The client commands take the queue and exchange names from the environment.
        let env = ["DABROKER_AMQP_QUEUE": queue, "DABROKER_AMQP_EXCHANGE": exchange]

        // Two watchers in processes of their own: every broadcast reaches both.
        let watch = try ChildProcess(["watch", "--amqp", amqp, "--count", "3"], environment: env)
        let watch2 = try ChildProcess(["watch", "--amqp", amqp, "--count", "3"], environment: env)
        #expect(await watch.waitForStderr(containing: "listening") != nil)
        #expect(await watch2.waitForStderr(containing: "listening") != nil)

        let get = try await ChildProcess.run(["get"] + client + ["person", "id=2"], environment: env)
        #expect(get.status == 0, "\(get.err)")
        #expect(get.out.contains("\"name\":\"Alan Turing\""))
        let count = try await ChildProcess.run(["count"] + client + ["person"], environment: env)
        #expect(count.out.trimmingCharacters(in: .whitespacesAndNewlines) == "3")
        let find = try await ChildProcess.run(["find"] + client + ["address", "city=London"], environment: env)
        #expect(find.status == 0, "\(find.err)")
        #expect(find.out.contains("St James"))
        let call = try await ChildProcess.run(["call"] + client + ["echo", "42"], environment: env)
        #expect(call.out.trimmingCharacters(in: .whitespacesAndNewlines) == "42")

        // A write through another process reaches the watcher as a broadcast.
        let update = try await ChildProcess.run(
            ["update"] + client + ["person", "id=3", "--set", "email=grace@navy.mil"], environment: env)
        #expect(update.status == 0, "\(update.err)")
        let created = try await ChildProcess.run(
            ["new"] + client + ["person", "name=Edsger Dijkstra", "email=ewd@example.org"], environment: env)
        #expect(created.status == 0, "\(created.err)")
        #expect(created.out.contains("Edsger Dijkstra"))
        let deleted = try await ChildProcess.run(
            ["delete"] + client + ["person", "name=Edsger Dijkstra"], environment: env)
        #expect(deleted.status == 0, "\(deleted.err)")
        let gone = try await ChildProcess.run(
            ["count"] + client + ["person", "name=Edsger Dijkstra"], environment: env)
        #expect(gone.out.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        for w in [watch, watch2] {
            let watched = await w.finish(timeout: 20)
            let lines = watched.out.split(separator: "\n").filter { $0.contains("invalid_key") }
            #expect(lines.count == 3, "update, new and delete each reach every watcher: \(watched.out)")
            #expect(watched.out.contains("grace@navy.mil"))
            #expect(watched.out.contains("Edsger Dijkstra"))
            #expect(!watched.out.contains("secret-hash"))
        }

        // SIGTERM mid-load: calls in flight are answered, the exit is clean, and a call that
        // could not be served fails cleanly with Unavailable.
        let quick = ["--amqp", amqp, "--compact", "--timeout", "4"]
        let firstAnswer = AsyncStream.makeStream(of: Void.self)
        let load = (0..<4).map { _ in
            Task { () -> [(status: Int32, out: String, err: String)] in
                var results: [(status: Int32, out: String, err: String)] = []
                for _ in 0..<6 {
                    let r = try await ChildProcess.run(["find"] + quick + ["person"], environment: env)
                    results.append(r)
                    if r.status == 0 { firstAnswer.continuation.yield() } else { break }
                }
                return results
            }
        }
        for await _ in firstAnswer.stream { break }
        server.signal(SIGTERM)
        let end = await server.finish(timeout: 30)
        #expect(end.status == 0, "\(end.err)")
        var answered = 0
        for t in load {
            for r in try await t.value {
                if r.status == 0 {
                    answered += 1
                    #expect(r.out.contains("Ada Lovelace"))
                } else {
                    #expect(r.err.contains("Unavailable"), "a call that was not answered fails cleanly: \(r.err)")
                }
            }
        }
        #expect(answered > 0)
    }
}
