import DaBrokerCore
import DaBrokerSQL
import DaBrokerServerTestSupport
import DaBrokerTestSupport
import OrderedCollections
import Testing

@testable import DaBrokerServer

extension ChinookTests {
    @Suite("SQL loader on Chinook: modes, hidden columns, stale updates, codes")
    struct SQLLoaderWriteTests {
        @Test(arguments: ChinookBackend.available)
        func eachModeAllowsExactlyItsCalls(_ backend: ChinookBackend) async throws {
            let n = backend.names
            let f = try await SQLFixture.make(backend) { sql, root in
                try sql.addModel(n.genre, into: root, rw: .none)
                try sql.addModel(n.mediaType, into: root, rw: .readOnly)
                try sql.addModel(n.artist, into: root, rw: .readWrite)
            }
            defer { Task { await f.close() } }
            let genres = try await f.table(n.genre)
            let media = try await f.table(n.mediaType)
            let artists = try await f.table(n.artist)
            let genreCount = try await f.scalar("SELECT COUNT(*) FROM \(f.q(n.genre))")
            let mediaCount = try await f.scalar("SELECT COUNT(*) FROM \(f.q(n.mediaType))")

            // none: only reads of rows it was given.
            let genre1 = f.rowRef(n.genre, 1)
            #expect(try await f.client.get(genre1).object?.fields[n.name] == "Rock")
            for (method, named) in [
                ("_dab_search", [:]), ("_dab_count", [:]), ("new", [n.name: "X"]), ("delete", [:]),
            ] as [(String, OrderedDictionary<String, Value>)] {
                let args: [Value]? = method == "delete" ? [.ref(genre1)] : nil
                #expect(try await f.client.failure(method, target: genres, args: args, named: named)?.kind == .readOnly)
            }
            #expect(
                try await f.client.failure("update", target: genre1, named: [n.name: ["Rock", "Pop"]])?.kind
                    == .readOnly)
            #expect(try await f.client.failure("delete", target: genre1)?.kind == .readOnly)
            #expect(
                try await f.client.failure(
                    "update", args: [.ref(genre1)], named: ["k": .dict([n.name: ["Rock", "Pop"]])])?
                    .kind == .readOnly)
            let genreInfo = try #require(try await f.client.get(genres).info)
            #expect(genreInfo.info.calls.isEmpty)
            #expect(try #require(try await f.client.get(genreInfo.meta).info).info.calls.isEmpty)

            // readOnly: + search and count.
            #expect(try await f.search(media, [n.name: "AAC audio file"]).count == 1)
            #expect(try await f.count(media) == 5)
            let media1 = f.rowRef(n.mediaType, 1)
            #expect(try await f.client.failure("new", target: media, named: [n.name: "X"])?.kind == .readOnly)
            #expect(try await f.client.failure("delete", target: media, args: [.ref(media1)])?.kind == .readOnly)
            #expect(try await f.client.failure("delete", target: media1)?.kind == .readOnly)
            #expect(
                try await f.client.failure("update", target: media1, named: [n.name: ["a", "b"]])?.kind == .readOnly)
            #expect(try await f.client.failure("frobnicate", target: media)?.kind == .unknownCommand)

            // Nothing changed.
            #expect(try await f.scalar("SELECT COUNT(*) FROM \(f.q(n.genre))") == genreCount)
            #expect(try await f.scalar("SELECT COUNT(*) FROM \(f.q(n.mediaType))") == mediaCount)
            #expect(
                try await f.scalar(
                    "SELECT \(f.q(n.name)) FROM \(f.q(n.genre)) WHERE \(f.q(backend == .postgres ? "genre_id" : "GenreId")) = 1"
                ) == "Rock")

            // readWrite: + new, update, delete.
            let artistInfo = try #require(try await f.client.get(artists).info)
            #expect(Set(artistInfo.info.calls.keys) == ["update", "delete"])
            let created = try #require(
                try await f.client.call("new", target: artists, named: [n.artistId: 9001, n.name: "Broker Test"]).object
            )
            #expect(created.ref.key == ObjectKey(["sql", .string(n.artist), 9001]))
            #expect(created.fields[n.name] == "Broker Test")
            let updated = try await f.client.call(
                "update", target: created.ref, named: [n.name: ["Broker Test", "Renamed"]])
            #expect(updated.object?.fields[n.name] == "Renamed")
            let viaServer = try await f.client.call(
                "update", args: [.ref(created.ref)], named: ["k": .dict([n.name: ["Renamed", "Again"]])])
            #expect(viaServer.object?.fields[n.name] == "Again")
            #expect(try await f.client.call("delete", target: created.ref) == true)
            #expect(try await f.client.failure("get", args: [.ref(created.ref)])?.kind == .noData)
            let other = try #require(
                try await f.client.call("new", target: artists, named: [n.artistId: 9002, n.name: "Other"]).object)
            #expect(try await f.client.call("delete", target: artists, args: [.ref(other.ref)]) == true)
            #expect(try await f.scalar("SELECT COUNT(*) FROM \(f.q(n.artist)) WHERE \(f.q(n.artistId)) > 9000") == 0)
            #expect(try await f.client.failure("frobnicate", target: artists)?.kind == .unknownCommand)
            #expect(try await f.client.failure("new", target: artists, named: ["NoSuchColumn": 1])?.kind == .badRequest)

            // Broadcasts: created, updated twice, deleted, created, deleted.
            let kinds = try f.client.broadcasts().map { $0.data.dict?["_key"] == nil ? "new" : "key" }
            #expect(kinds == ["new", "key", "key", "key", "new", "key"])
        }

        @Test(arguments: ChinookBackend.available)
        func hiddenColumnsNeverLeave(_ backend: ChinookBackend) async throws {
            let n = backend.names
            let f = try await SQLFixture.make(backend, maxFindLimit: 100) { sql, root in
                try sql.addModel(n.customer, into: root, rw: .readWrite, hide: [n.email, n.phone, n.supportRepId])
                try sql.addModel(n.employee, into: root)
            }
            defer { Task { await f.close() } }
            var secrets: [String] = []
            for row in try await f.db.execute("SELECT \(f.q(n.email)), \(f.q(n.phone)) FROM \(f.q(n.customer))").rows {
                for v in row.values { if case .string(let s) = v, !s.isEmpty { secrets.append(s) } }
            }
            // Values that also occur in an exported column (a fax equal to a phone) are not secret.
            var exported = Set<String>()
            for row in try await f.db.execute("SELECT * FROM \(f.q(n.customer))").rows {
                for (c, v) in zip(row.columns, row.values) where c != n.email && c != n.phone {
                    if case .string(let s) = v { exported.insert(s) }
                }
            }
            secrets.removeAll { exported.contains($0) }
            #expect(secrets.count > 100)
            let customers = try await f.table(n.customer)
            let info = try #require(try await f.client.get(customers).info)
            #expect(info.info.fields[n.email] == nil)
            #expect(info.info.fields[n.phone] == nil)
            #expect(info.info.refs[n.supportRep] == nil)
            #expect(info.info.fields[n.firstName] != nil)

            let all = try await f.search(customers, ["_limit": 100])
            #expect(all.count == 59)
            #expect(all.allSatisfy { $0.fields[n.email] == nil && $0.refs[n.supportRep] == nil })
            let c1 = try #require(all.first)
            _ = try await f.client.get(c1.ref)
            _ = try await f.client.failure("_dab_search", target: customers, named: [n.email: .string(secrets[0])])
            // Client writes: an update broadcasts only exported fields; a stale one names only the field.
            let first = try #require(c1.fields[n.firstName])
            _ = try await f.client.call("update", target: c1.ref, named: [n.firstName: [first, "Hidden-Test"]])
            _ = try await f.client.failure("update", target: c1.ref, named: [n.firstName: [first, "x"]])
            _ = try await f.client.call("update", target: c1.ref, named: [n.firstName: ["Hidden-Test", first]])
            // Server code may write hidden columns; the broadcast leaves them out.
            let original = try #require(
                try await f.scalar(
                    "SELECT \(f.q(n.email)) FROM \(f.q(n.customer)) WHERE \(f.q(n.customerId)) = 1"))
            try await f.loader.objUpdate(c1.ref.key, [n.email: "changed-secret@example.com", n.firstName: "Server"])
            secrets.append("changed-secret@example.com")
            try await f.loader.objUpdate(c1.ref.key, [n.email: original, n.firstName: first])
            // A client new without the NOT NULL hidden column fails without naming values.
            let refused = try await f.client.failure(
                "new", target: customers, named: [n.customerId: 9001, n.firstName: "A"])
            #expect(refused != nil)
            // Created and deleted through server code.
            let key = try await f.loader.objNew(
                n.customer,
                [
                    n.customerId: 9002, n.firstName: "New", backend == .postgres ? "last_name" : "LastName": "Row",
                    n.email: "new-secret@example.com",
                ])
            secrets.append("new-secret@example.com")
            try await f.loader.objDelete(key)

            let broadcasts = try f.client.broadcasts()
            #expect(broadcasts.count == 6)
            #expect(broadcasts.allSatisfy { $0.data.dict?[n.email] == nil && $0.data.dict?[n.phone] == nil })
            let messages = f.transport.sent
            #expect(messages.count > 10)
            for m in messages {
                for s in secrets { #expect(!contains(m, s), "hidden value \(s) found in a message") }
            }
        }

        @Test(arguments: ChinookBackend.available)
        func staleUpdateChangesNothingAndNamesTheField(_ backend: ChinookBackend) async throws {
            let n = backend.names
            let f = try await SQLFixture.make(backend) { sql, root in
                try sql.addModel(n.artist, into: root, rw: .readWrite)
                try sql.addModel(n.album, into: root, rw: .readWrite)
            }
            defer { Task { await f.close() } }
            let key = try await f.loader.objNew(n.artist, [n.artistId: 9100, n.name: "Stale Test"])
            let ref = Ref(key: key, code: f.server.codes.code(for: key))
            let e = try await f.client.failure("update", target: ref, named: [n.name: ["Not The Name", "Changed"]])
            #expect(e?.kind == .staleData)
            #expect(e?.details["field"] == n.name)
            #expect(e?.message.contains(n.name) == true)
            #expect(
                try await f.scalar("SELECT \(f.q(n.name)) FROM \(f.q(n.artist)) WHERE \(f.q(n.artistId)) = 9100")
                    == "Stale Test")
            let before = f.transport.broadcasts.count
            // Several fields: the stale one is named, the good one not written either.
            let album = try await f.loader.objNew(n.album, [n.albumId: 9100, n.title: "T", n.artistId: 9100])
            let albumRef = Ref(key: album, code: f.server.codes.code(for: album))
            let e2 = try await f.client.failure(
                "update", args: [.ref(albumRef)],
                named: ["k": .dict([n.title: ["T", "New Title"], n.artistId: [1, 2]])])
            #expect(e2?.kind == .staleData)
            #expect(e2?.details["field"] == n.artistId)
            #expect(
                try await f.scalar("SELECT \(f.q(n.title)) FROM \(f.q(n.album)) WHERE \(f.q(n.albumId)) = 9100") == "T")
            #expect(f.transport.broadcasts.count == before + 1)  // only objNew's
            // The right old values pass, and the reply follows its broadcast.
            let reply = try await f.client.request("update", target: ref, named: [n.name: ["Stale Test", "Fresh"]])
            #expect(reply.error == nil)
            let last = try #require(try f.client.broadcasts().last)
            #expect(reply.msgid == last.msgid)
            #expect(last.data.dict?[n.name] == ["Stale Test", "Fresh"])
            #expect(last.data.dict?["_key"] == .ref(Ref(key: key)))
            // Changing a ref by ref.
            let artist1 = f.rowRef(n.artist, 1)
            let moved = try await f.client.call(
                "update", target: albumRef, named: [n.artist: [.ref(ref), .ref(artist1)]])
            #expect((moved.object?.refs[n.artist] ?? nil)?.key == artist1.key)
            let b = try #require(try f.client.broadcasts().last?.data.dict)
            #expect(b[n.artistId] == [9100, 1])
            #expect(b[n.artist] == [.ref(Ref(key: key)), .ref(Ref(key: artist1.key))])
            // Server code by key, through the server.
            try await f.server.objUpdate(key: key, [n.name: "By Key"])
            #expect(try f.client.broadcasts().last?.data.dict?[n.name] == ["Fresh", "By Key"])
            await #expect(throws: BrokerError.self) {
                try await f.server.objUpdate(key: ObjectKey(["static", "x"]), [:])
            }
            try await f.loader.objDelete(album)
            try await f.server.objDelete(key: key)
            #expect(try await f.scalar("SELECT COUNT(*) FROM \(f.q(n.artist)) WHERE \(f.q(n.artistId)) = 9100") == 0)
        }

        @Test(arguments: ChinookBackend.available)
        func forgedMissingAndCrossObjectCodesAreRefused(_ backend: ChinookBackend) async throws {
            let n = backend.names
            let f = try await SQLFixture.make(backend) { sql, root in
                try sql.addModel(n.artist, into: root, rw: .readWrite)
            }
            defer { Task { await f.close() } }
            let artists = try await f.table(n.artist)
            let a1 = f.rowRef(n.artist, 1)
            let k2 = f.loader.rowKey(n.artist, [2])
            for bad in [Ref(key: k2), Ref(key: k2, code: "AAAAAAAAAAAA"), Ref(key: k2, code: a1.code)] {
                #expect(try await f.client.failure("get", args: [.ref(bad)])?.kind == .accessDenied)
                #expect(try await f.client.failure("delete", target: bad)?.kind == .accessDenied)
                #expect(try await f.client.failure("delete", target: artists, args: [.ref(bad)])?.kind == .accessDenied)
                #expect(
                    try await f.client.failure("update", args: [.ref(bad)], named: ["k": .dict([n.name: ["x", "y"]])])?
                        .kind
                        == .accessDenied)
            }
            let badTable = Ref(key: artists.key, code: a1.code)
            #expect(try await f.client.failure("_dab_search", target: badTable)?.kind == .accessDenied)
            // Nothing was deleted.
            #expect(try await f.scalar("SELECT COUNT(*) FROM \(f.q(n.artist)) WHERE \(f.q(n.artistId)) = 2") == 1)
        }
    }
}
