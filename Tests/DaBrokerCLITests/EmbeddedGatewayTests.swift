import DaBrokerTestSupport
import Foundation
import Testing

/// `dabroker serve` with no configuration (the Quick start), driven by the client commands.
@Suite("Embedded default gateway", .serialized)
struct EmbeddedGatewayTests {
    @Test func quickStartServesDemoData() async throws {
        let (dir, removeDir) = try CLITestPaths.freshDirectory("cli-embedded")
        defer { removeDir() }
        let server = try ChildProcess(
            ["serve", "--http-port", "0", "--migrations", CLITestPaths.migrations], directory: dir.path)
        let summary = try #require(await server.waitForOutput(containing: "project:"))
        let port = try #require(await server.waitForHTTPPort(), "the port the OS chose")
        #expect(summary.contains("person: readWrite"))
        #expect(summary.contains("hidden password_hash"))
        #expect(!summary.contains("dabroker_migrations"))
        let http = ["--http", "http://127.0.0.1:\(port)", "--compact"]

        let found = try await ChildProcess.run(["find"] + http + ["person", "name=Ada Lovelace"])
        #expect(found.status == 0, "\(found.err)")
        #expect(found.out.contains("\"name\":\"Ada Lovelace\""))
        #expect(!found.out.contains("password"), "the hidden column stays on the server")

        let count = try await ChildProcess.run(["count"] + http + ["project"])
        #expect(count.out.trimmingCharacters(in: .whitespacesAndNewlines) == "4")

        let echo = try await ChildProcess.run(["call"] + http + ["echo", "hello"])
        #expect(echo.out.trimmingCharacters(in: .whitespacesAndNewlines) == "\"hello\"")

        let missing = try await ChildProcess.run(["get"] + http + ["person", "id=99"])
        #expect(missing.status == 1)
        #expect(missing.err.contains("NoData"))

        let badFilter = try await ChildProcess.run(["find"] + http + ["person", "password_hash=x"])
        #expect(badFilter.status == 1)
        #expect(badFilter.err.contains("password_hash"))
        #expect(!badFilter.err.contains("secret-hash"))

        server.signal(SIGTERM)
        let end = await server.finish(timeout: 30)
        #expect(end.status == 0, "\(end.err)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("dabroker-demo.sqlite").path))
    }
}
