import DaBrokerClient
import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Testing

@testable import DaBrokerServer

/// Writes made with the database's own client reach a subscribed client's cache, on every
/// database; exactly one server broadcasts each change; a server that dies is replaced
/// without losing a change; installing is idempotent and uninstalling leaves nothing.
@Suite("Change capture", .serialized)
struct ChangeCaptureTests {
    static let kinds = [DatabaseKind.sqlite, .postgres, .mysql].filter(TestDatabases.isAvailable)

    @Test(arguments: kinds) func externalWritesMakeCachedObjectsObsolete(_ kind: DatabaseKind) async throws {
        let f = try await ChangeCaptureFixture.make(kind, name: "changes_external")
        let served = try await f.serve()
        let client = try await served.client()
        let members = try await client.model("member")
        let ada = try await members.get(["id": 1])
        let alan = try await members.get(["id": 2])
        #expect(try await members.get(["id": 1]) === ada, "cached")

        try await f.external("UPDATE member SET name = 'Ada L.' WHERE id = 1")
        #expect(await ChangeCaptureFixture.eventually { ada.isObsolete }, "an external UPDATE reaches the cache")
        #expect(try await members.get(["id": 1])["name"] == "Ada L.")

        let before = try await members.count()
        try await f.external("INSERT INTO member (id, name, secret) VALUES (4, 'Barbara', 'x')")
        #expect(
            await ChangeCaptureFixture.eventually {
                served.broadcasts.contains { $0.isInvalidKey && $0.broadcastKey == nil }
            },
            "an external INSERT is broadcast as a new row")
        // The client applies the broadcast a moment after the server sent it.
        #expect(try await ChangeCaptureFixture.eventually { try await members.count() == before + 1 })

        try await f.external("DELETE FROM member WHERE id = 2")
        #expect(await ChangeCaptureFixture.eventually { alan.isObsolete }, "an external DELETE reaches the cache")

        // The gateway's own write: broadcast once (by the write), not again by the feed.
        let grace = try await members.get(["id": 3])
        let count = served.broadcasts.count
        _ = try await members.update(grace, ["name": "Grace H."])
        try await f.external("UPDATE member SET name = 'marker' WHERE id = 1")
        #expect(
            await ChangeCaptureFixture.eventually { served.broadcasts.count >= count + 2 }, "the marker change arrives")
        try await Task.sleep(for: .milliseconds(300))
        let after = Array(served.broadcasts.dropFirst(count))
        #expect(after.filter { $0.broadcastKey?.last == 3 }.count == 1, "the gateway's own write is broadcast once")
        #expect(after.filter { $0.broadcastKey?.last == 1 }.count == 1)

        for bytes in served.recorder.broadcasts {
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.contains(ChangeCaptureFixture.secretValue) && !text.contains("secret"))
        }
        await client.close()
        await served.stop()
        await f.drop()
    }

    @Test(arguments: kinds) func oneServerBroadcastsAndAnotherTakesOverWhenItDies(_ kind: DatabaseKind) async throws {
        let f = try await ChangeCaptureFixture.make(kind, name: "changes_two")
        let a = try await f.serve(lease: 1.5, release: false)
        let b = try await f.serve(lease: 1.5, release: false)
        try await Task.sleep(for: .milliseconds(300))  // both have tried to take the lease
        for i in 1...3 { try await f.external("UPDATE member SET name = 'n\(i)' WHERE id = \(i)") }
        #expect(
            await ChangeCaptureFixture.eventually { a.broadcasts.count + b.broadcasts.count >= 3 },
            "three changes broadcast")
        try await Task.sleep(for: .milliseconds(400))
        #expect(a.broadcasts.count + b.broadcasts.count == 3, "exactly one server broadcasts each change")
        #expect(a.broadcasts.isEmpty != b.broadcasts.isEmpty, "one server, not both")

        // The broadcasting server dies (keeps its lease); changes made meanwhile are not lost.
        let (leader, other) = a.broadcasts.isEmpty ? (b, a) : (a, b)
        let seen = other.broadcasts.count
        await leader.stop()
        for i in 1...3 { try await f.external("UPDATE member SET name = 'm\(i)' WHERE id = \(i)") }
        #expect(
            await ChangeCaptureFixture.eventually(.seconds(10)) { other.broadcasts.count >= seen + 3 },
            "the other server takes over within a few seconds and broadcasts every change")
        let keys = other.broadcasts.dropFirst(seen).compactMap { $0.broadcastKey?.last }
        #expect(Set(keys) == [1, 2, 3])
        await other.stop()
        await f.drop()
    }

    @Test(arguments: kinds) func prunedPastThePositionMeansResync(_ kind: DatabaseKind) async throws {
        let f = try await ChangeCaptureFixture.make(kind, name: "changes_resync")
        try await f.external("UPDATE member SET name = 'unseen' WHERE id = 1")
        try await Task.sleep(for: .milliseconds(1500))
        // Down for longer than the retention: the first prune removes what nobody read.
        let served = try await f.serve(retention: 1)
        let client = try await served.client()
        #expect(
            await ChangeCaptureFixture.eventually {
                served.broadcasts.contains {
                    guard case .dict(let d) = $0 else { return false }
                    return d[InvalidKeyBroadcast.resyncKey] != nil
                }
            }, "a resync is broadcast")
        #expect(served.broadcasts.allSatisfy { $0.broadcastKey == nil }, "the pruned change itself is not")
        await client.close()
        await served.stop()
        await f.drop()
    }

    @Test(arguments: kinds) func installTwiceThenUninstallLeavesNoTrace(_ kind: DatabaseKind) async throws {
        let f = try await ChangeCaptureFixture.make(kind, name: "changes_install")
        let db = try await Database.open(url: f.url)
        let log = ChangeLog(dialect: db.dialect)
        let catalog = try await Self.ourObjects(db)
        let table = try #require(try await SchemaReflector.reflect(db).tables["member"])
        try await log.install(db, tables: [table])
        #expect(try await Self.ourObjects(db) == catalog, "installing again leaves the same objects")
        #expect(try await log.capturedTables(db) == ["member"])
        #expect(try await log.uninstall(db) == ["member"])
        #expect(try await Self.ourObjects(db).isEmpty, "no trigger, table or function of ours is left")
        #expect(try await !log.isInstalled(db))
        await db.close()
        await f.drop()
    }

    /// Every trigger, table and function named `dabroker_…` in the database, from its catalog.
    static func ourObjects(_ db: Database) async throws -> [String] {
        let sql: String
        switch db.kind {
        case .postgres:
            sql = """
                SELECT 'trigger ' || tgname || ' ' || tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'dabroker%' \
                UNION ALL SELECT 'table ' || relname FROM pg_class WHERE relname LIKE 'dabroker%' AND relkind = 'r' \
                UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE proname LIKE 'dabroker%' ORDER BY 1
                """
        case .mysql:
            sql = """
                SELECT CONCAT('trigger ', TRIGGER_NAME, ' ', ACTION_STATEMENT) FROM information_schema.TRIGGERS \
                WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME LIKE 'dabroker%' \
                UNION ALL SELECT CONCAT('table ', TABLE_NAME) FROM information_schema.TABLES \
                WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'dabroker%' ORDER BY 1
                """
        case .sqlite:
            sql = "SELECT type || ' ' || name || ' ' || sql FROM sqlite_master WHERE name LIKE 'dabroker%' ORDER BY 1"
        }
        return try await db.execute(sql).rows.map { row in
            if case .string(let s) = row[0] { return s }
            return "\(row[0])"
        }
    }
}
