import DaBrokerTestSupport
import Foundation
import Testing

/// Issue 19's CLI: `find` with operators, `--order`, pages (`--page`, `--after`, `--all`),
/// `count --estimate` and `new --file rows.jsonl`, against `dabroker serve` on the demo schema.
@Suite("find/count/new with queries", .serialized)
struct QueryCommandsTests {
    @Test func findCountAndBulkNew() async throws {
        let (dir, removeDir) = try CLITestPaths.freshDirectory("cli-queries")
        defer { removeDir() }
        let server = try ChildProcess(
            ["serve", "--http-port", "0", "--migrations", CLITestPaths.migrations], directory: dir.path)
        _ = try #require(await server.waitForOutput(containing: "project:"))
        // The summary comes before the port is bound; the log line after it.
        let port = try #require(await server.waitForHTTPPort(), "the port the OS chose")
        let http = ["--http", "http://127.0.0.1:\(port)", "--compact"]
        func run(_ args: [String]) async throws -> (status: Int32, out: String, err: String) {
            let r = try await ChildProcess.run([args[0]] + http + Array(args.dropFirst()))
            return (r.status, r.out, r.err)
        }
        func names(_ out: String) -> [String] {
            out.components(separatedBy: "\"name\":\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        }

        let born = try await run(["find", "person", "born>1900-01-01", "--order", "-born", "--limit", "20"])
        #expect(born.status == 0, "\(born.err)")
        #expect(names(born.out) == ["Alan Turing", "Grace Hopper"], "\(born.out)")
        let like = try await run(["find", "person", "name~~%HOPPER", "email:not_null", "balance<=100"])
        #expect(names(like.out) == ["Grace Hopper"], "\(like.out)")
        let prefix = try await run(["find", "person", "name:prefix=Ada", "id:in=1,2"])
        #expect(names(prefix.out) == ["Ada Lovelace"], "\(prefix.out)")

        // One page and its cursor, then the page after it; --all walks them all.
        let first = try await run(["find", "person", "--order", "-born", "--limit", "1", "--page"])
        #expect(names(first.out) == ["Alan Turing"], "\(first.out)")
        let cursor = try #require(
            first.out.components(separatedBy: "\"next\":\"").dropFirst().first?.prefix { $0 != "\"" })
        let second = try await run(["find", "person", "--order", "-born", "--limit", "1", "--after", String(cursor)])
        #expect(names(second.out) == ["Grace Hopper"], "\(second.out)")
        let all = try await run(["find", "person", "--order", "born", "--limit", "1", "--all"])
        #expect(names(all.out) == ["Ada Lovelace", "Grace Hopper", "Alan Turing"], "\(all.out)")
        let tampered = try await run(["find", "person", "--order", "born", "--after", String(cursor)])
        #expect(tampered.status != 0 && tampered.err.contains("cursor"), "\(tampered.err)")

        let count = try await run(["count", "person", "born<1900-01-01"])
        #expect(count.out.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(count.out)")
        let estimate = try await run(["count", "person", "--estimate"])
        #expect(estimate.out.contains("\"count\":3") && estimate.out.contains("\"estimated\":false"), "\(estimate.out)")

        // new --file: every line in one transaction.
        let good = dir.appendingPathComponent("rows.jsonl")
        try Data("{\"title\": \"Bulk one\"}\n\n{\"title\": \"Bulk two\", \"started\": \"2024-01-01 10:00:00\"}\n".utf8)
            .write(to: good)
        let made = try await run(["new", "project", "--file", good.path])
        #expect(made.status == 0 && made.out.contains("Bulk one") && made.out.contains("Bulk two"), "\(made.err)")
        let bad = dir.appendingPathComponent("bad.jsonl")
        try Data("{\"title\": \"Bulk three\"}\n{\"title\": null}\n".utf8).write(to: bad)
        let refused = try await run(["new", "project", "--file", bad.path])
        #expect(refused.status != 0 && refused.err.contains("row 1"), "\(refused.err)")
        let projects = try await run(["count", "project", "title~Bulk%"])
        #expect(projects.out.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "\(projects.out)")
        let notJSON = dir.appendingPathComponent("notjson.jsonl")
        try Data("title=x\n".utf8).write(to: notJSON)
        let unreadable = try await run(["new", "project", "--file", notJSON.path])
        #expect(unreadable.status != 0 && unreadable.err.contains("line 1"), "\(unreadable.err)")

        server.signal(SIGTERM)
        let end = await server.finish(timeout: 30)
        #expect(end.status == 0, "\(end.err)")
    }
}
