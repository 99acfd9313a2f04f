import DaBrokerTestSupport
import Foundation
import Testing

/// `dabroker update TABLE filters… --set a=1 b=2`: every word after `--set` is a change.
@Suite("update --set with several changes", .serialized)
struct UpdateSetTests {
    @Test func severalChangesAfterOneSet() async throws {
        let (dir, removeDir) = try CLITestPaths.freshDirectory("cli-update-set")
        defer { removeDir() }
        let server = try ChildProcess(
            ["serve", "--http-port", "0", "--migrations", CLITestPaths.migrations], directory: dir.path)
        _ = try #require(await server.waitForOutput(containing: "project:"))
        // The summary comes before the port is bound; the log line after it.
        let port = try #require(await server.waitForHTTPPort(), "the port the OS chose")
        let http = ["--http", "http://127.0.0.1:\(port)", "--compact"]

        let updated = try await ChildProcess.run(
            ["update"] + http + ["person", "id=2", "--set", "email=alan@bletchley.uk", "name=A. M. Turing"])
        #expect(updated.status == 0, "\(updated.err)")
        let row = try await ChildProcess.run(["get"] + http + ["person", "id=2"])
        #expect(row.out.contains("\"email\":\"alan@bletchley.uk\""), "\(row.out)")
        #expect(row.out.contains("\"name\":\"A. M. Turing\""), "both words after --set are changes: \(row.out)")

        // Two --set options mean the same; the filters stay before them.
        let twice = try await ChildProcess.run(
            ["update"] + http + ["person", "id=3", "--set", "email=grace@navy.mil", "--set", "balance=5"])
        #expect(twice.status == 0, "\(twice.err)")
        let grace = try await ChildProcess.run(["get"] + http + ["person", "id=3"])
        #expect(grace.out.contains("\"email\":\"grace@navy.mil\""), "\(grace.out)")
        #expect(grace.out.contains("5"), "\(grace.out)")

        // Filters after --set are changes, so an update without filters is refused, not guessed.
        let noFilter = try await ChildProcess.run(
            ["update"] + http + ["person", "--set", "email=x@example.org", "id=1"])
        #expect(noFilter.status != 0)
        #expect(noFilter.err.contains("before --set"), "\(noFilter.err)")
        let ada = try await ChildProcess.run(["get"] + http + ["person", "id=1"])
        #expect(ada.out.contains("\"email\":\"ada@example.org\""), "nothing changed: \(ada.out)")

        server.signal(SIGTERM)
        let end = await server.finish(timeout: 30)
        #expect(end.status == 0, "\(end.err)")
    }

    @Test func helpShowsSeveralChangesExample() async throws {
        let help = try await ChildProcess.run(["update", "--help"])
        #expect(help.status == 0)
        // The help is wrapped to the terminal's width: compare with whitespace collapsed.
        let words = help.out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("dabroker update item id=10 --set title=Hammer qty=3"), "\(help.out)")
    }
}
