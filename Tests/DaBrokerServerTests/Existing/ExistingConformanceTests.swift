import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import OrderedCollections
import Testing

@testable import DaBrokerServer

/// Issue 15: a database as users have it (fixture schemas under `Fixtures/`), one suite over
/// the three backends. Each mistake gets its error class, column and constraint, and leaves
/// the database as it was; hidden values reach no reply and no log line.
@Suite("Existing databases: errors that name the cause, values checked before SQL")
struct ExistingConformanceTests {
    @Test(arguments: ExistingBackend.available)
    func eachMistakeGetsItsClassAndChangesNothing(_ backend: ExistingBackend) async throws {
        let f = try await ExistingFixture.make(backend, "mistakes")
        var cases = Mistake.catalogue
        cases.append(
            Mistake(
                "new with a ref to a missing row", "item", "new",
                Mistake.newItem(["category": .ref(f.rowRef("category", 99))]),
                [
                    .sqlite: .init(kind: .foreignKey),
                    .postgres: .init(kind: .foreignKey, column: "category_id", constraint: "item_category_fk"),
                    .mariadb: .init(kind: .foreignKey, column: "category_id", constraint: "item_category_fk"),
                ]))
        cases.append(
            Mistake(
                "new with a ref to a missing row, deferred to COMMIT (FK cycle)", "category", "new",
                ["id": 3, "name": "garden", "lead_item": .ref(f.rowRef("item", 999))],
                [
                    .sqlite: .init(kind: .foreignKey),
                    .postgres: .init(kind: .foreignKey),
                    .mariadb: .init(
                        kind: .foreignKey, column: "lead_item_id", constraint: "category_lead_item_fk"),
                ]))
        do {
            for mistake in cases {
                guard let expected = mistake.expected[backend] else { continue }
                let before = try await f.state()
                let table = try await f.table(mistake.table)
                let args: [Value]? = mistake.key.map { [.ref(f.rowRef(mistake.table, $0))] }
                let error = try await f.client.failure(mistake.method, target: table, args: args, named: mistake.named)
                let e = try #require(error, "\(backend) \(mistake): no error")
                #expect(e.kind == expected.kind, "\(backend) \(mistake): \(e)")
                #expect(e.details["column"] == expected.column, "\(backend) \(mistake): \(e.details)")
                #expect(e.details["constraint"] == expected.constraint, "\(backend) \(mistake): \(e.details)")
                if let allowed = expected.allowed { #expect(e.details["allowed"] == allowed) }
                // A deferred constraint fails at COMMIT, outside any table's statement.
                if !(mistake.description.contains("COMMIT") && backend != .mariadb) {
                    #expect(e.details["table"] == mistake.table, "\(backend) \(mistake): \(e.details)")
                }
                #expect(!e.message.contains("10xyz") && !e.message.contains("2024-13-45"), "\(e.message)")
                #expect(try await f.state() == before, "\(backend) \(mistake) changed the database")
                print("mistake-table | \(backend) | \(mistake) | \(e.kind.rawValue) | \(e.message)")
            }
        } catch {
            await f.close()
            throw error
        }
        await f.close()
    }

    @Test(arguments: ExistingBackend.available)
    func hiddenValuesReachNoReplyAndNoLogLine(_ backend: ExistingBackend) async throws {
        let f = try await ExistingFixture.make(backend, "hidden")
        do {
            let accounts = try await f.table("account")
            let badges = try await f.table("badge")
            let check = try #require(
                try await f.client.failure("new", target: accounts, named: ["id": 2, "owner": "nobody"]))
            #expect(check.kind == .check)
            #expect(check.details["constraint"] == "account_owner_check")

            let unique = try #require(
                try await f.client.failure("new", target: accounts, named: ["id": 3, "owner": "dave"]))
            #expect(unique.kind == .unique)
            #expect(unique.details["column"] == "owner")
            #expect(unique.details["hidden"] == "true")
            #expect(unique.message.contains("a hidden column"))
            if backend != .sqlite { #expect(unique.details["constraint"] == "account_login_key") }

            let fk = try #require(try await f.client.failure("new", target: badges, named: ["id": 1, "label": "x"]))
            #expect(fk.kind == .foreignKey)
            if backend != .sqlite {
                #expect(fk.details["hidden"] == "true")
                #expect(fk.message.contains("a hidden column"))
                #expect(fk.details["constraint"] == "badge_vault_fk")
            }
            for e in [check, unique, fk] {
                #expect(!e.message.contains("pass_hash") && !e.message.contains("vault_code"), "\(e.message)")
            }
            for reply in f.replies {
                for secret in ExistingFixture.secrets + ["pass_hash", "vault_code"] {
                    #expect(!contains(reply, secret), "a reply holds \(secret)")
                }
            }
            let lines = f.log.all
            #expect(lines.contains { $0.contains("failed") }, "the refusals are logged")
            for line in lines {
                for secret in ExistingFixture.secrets {
                    #expect(!line.contains(secret), "log line holds \(secret): \(line)")
                }
            }
            // The driver's error keeps the database's text apart: not in its description.
            let raw = await #expect(throws: DatabaseError.self) {
                _ = try await f.db.execute("INSERT INTO account (id, owner) VALUES (4, 'dave')")
            }
            let e = try #require(raw)
            #expect(e.refusal == .unique)
            for secret in ExistingFixture.secrets { #expect(!e.description.contains(secret)) }
            if backend != .sqlite {
                #expect(e.serverMessage?.contains("HASH_SECRET_4242") == true, "\(e.serverMessage ?? "")")
            }
        } catch {
            await f.close()
            throw error
        }
        await f.close()
    }

    /// The explicit switch: with `logDatabaseText` the database's own text is logged at notice level.
    @Test(arguments: ExistingBackend.available)
    func databaseTextIsLoggedOnlyWhenConfigured(_ backend: ExistingBackend) async throws {
        let f = try await ExistingFixture.make(backend, "logtext", logDatabaseText: true)
        do {
            let accounts = try await f.table("account")
            let e = try await f.client.failure("new", target: accounts, named: ["id": 3, "owner": "dave"])
            #expect(e?.kind == .unique)
            #expect(f.log.all.contains { $0.hasPrefix("notice") && $0.contains("the database said:") })
            if backend != .sqlite { #expect(f.log.all.contains { $0.contains("HASH_SECRET_4242") }) }
            for reply in f.replies { #expect(!contains(reply, "HASH_SECRET_4242")) }
        } catch {
            await f.close()
            throw error
        }
        await f.close()
    }

    @Test(arguments: ExistingBackend.available.filter { $0 == .postgres })
    func arrayColumnsTakeAndGiveLists(_ backend: ExistingBackend) async throws {
        let f = try await ExistingFixture.make(backend, "arrays")
        do {
            let items = try await f.table("item")
            let created = try #require(
                try await f.client.call("new", target: items, named: Mistake.newItem(["id": 30, "tags": ["a", "b"]]))
                    .object)
            #expect(created.fields["tags"] == ["a", "b"])
            let updated = try #require(
                try await f.client.call("update", target: created.ref, named: ["tags": [["a", "b"], ["c", 1]]]).object)
            #expect(updated.fields["tags"] == ["c", "1"])
            let found = try #require(
                try await f.client.call("_dab_search", target: items, named: ["tags": ["c", "1"]]).list)
            #expect(found.count == 1)
            let fromJSON = try #require(
                try await f.client.call(
                    "new", target: items, named: ["id": 31, "code": "L-2", "title": "t", "tags": #"["x","y"]"#]
                ).object)
            #expect(fromJSON.fields["tags"] == ["x", "y"])
            let bad = try await f.client.failure(
                "new", target: items, named: Mistake.newItem(["id": 32, "tags": "{a,b"]))
            #expect(bad?.kind == .invalidValue)
            let json = try #require(
                try await f.client.call(
                    "new", target: items,
                    named: ["id": 33, "code": "L-3", "title": "t", "attrs": .dict(["k": [1, 2]])]
                ).object)
            #expect(json.fields["attrs"] != nil && json.fields["attrs"] != .null)
        } catch {
            await f.close()
            throw error
        }
        await f.close()
    }
}
