import DaBrokerCore
import DaBrokerSQL
import DaBrokerServerTestSupport
import Testing

@testable import DaBrokerServer

extension ChinookTests {
    @Suite("SQL loader on Chinook: get, find, count, refs, backrefs")
    struct SQLLoaderReadTests {
        @Test(arguments: ChinookBackend.available)
        func getFindCount(_ backend: ChinookBackend) async throws {
            let n = backend.names
            let f = try await SQLFixture.make(backend) { sql, root in
                try sql.addModel(n.artist, into: root)
                try sql.addModel(n.album, into: root)
                try sql.addModel(n.track, into: root)
                try sql.addModel(n.playlist, into: root)
                try sql.addModel(n.playlistTrack, into: root)
                try sql.addModel(n.employee, into: root)
            }
            defer { Task { await f.close() } }
            let artists = try await f.table(n.artist)
            let albums = try await f.table(n.album)

            // The client's get(ArtistId=1) is _dab_search with _limit 2.
            let one = try await f.search(artists, [n.artistId: 1, "_limit": 2])
            #expect(one.count == 1)
            #expect(one.first?.fields[n.name] == "AC/DC")
            #expect(one.first?.ref.key == ObjectKey(["sql", .string(n.artist), 1]))
            #expect(one.first?.ref.code?.count == 12)
            #expect(one.first?.meta?.key == ObjectKey(["sql", .string(n.artist)]))

            // find by column and by ref give the same rows, ordered by key.
            let byColumn = try await f.search(albums, [n.artistId: 1])
            #expect(byColumn.map { $0.fields[n.albumId] } == [1, 4])
            let artist1 = try #require(one.first?.ref)
            let byRef = try await f.search(albums, [n.artist: .ref(artist1)])
            #expect(byRef.map(\.ref.key) == byColumn.map(\.ref.key))
            #expect(try await f.search(albums, [n.title: "no such album"]).isEmpty)

            // count
            #expect(try await f.count(artists) == 275)
            #expect(try await f.count(albums) == 347)
            #expect(try await f.count(albums, [n.artistId: 1]) == 2)
            #expect(try await f.count(albums, [n.artist: .ref(artist1)]) == 2)

            // _limit, capped by the server's maximum (50 here).
            #expect(try await f.search(albums, ["_limit": 3]).count == 3)
            #expect(try await f.search(albums).count == 50)
            #expect(try await f.search(albums, ["_limit": 500]).count == 50)

            // get of a row; its ref travels with a code and resolves.
            let album1 = try #require(byColumn.first)
            let got = try #require(try await f.client.get(album1.ref).object)
            #expect(got.fields[n.title] == "For Those About To Rock We Salute You")
            let artistRef = try #require(got.refs[n.artist] ?? nil)
            #expect(artistRef.key == ObjectKey(["sql", .string(n.artist), 1]))
            #expect(try await f.client.get(artistRef).object?.fields[n.name] == "AC/DC")

            // The table info and its meta.
            let info = try #require(try await f.client.get(artists).info)
            #expect(info.info.fields.keys.contains(n.name))
            #expect(info.info.backrefs[n.album] != nil)
            #expect(info.info.cached == true)
            #expect(info.meta.key == ObjectKey(["sql", "_meta", .string(n.artist)]))
            let meta = try #require(try await f.client.get(info.meta).info)
            #expect(meta.info.calls["_dab_search"]?.cached == true)
            #expect(meta.info.calls["_dab_count"]?.cached == true)
            #expect(meta.info.calls["new"] == nil)
            #expect(meta.meta.key == .metaRoot)

            // Backrefs: one bounded query each.
            #expect(try await f.client.call("backref_len", args: [.ref(artist1), .string(n.album)]) == 2)
            let second = try await f.client.call("backref_idx", args: [.ref(artist1), .string(n.album), 1])
            #expect(second.object?.fields[n.albumId] == 4)
            #expect(
                try await f.client.failure("backref_idx", args: [.ref(artist1), .string(n.album), 2])?.kind == .noData)
            #expect(try await f.client.failure("backref_len", args: [.ref(artist1), "nosuch"])?.kind == .noData)

            // Composite keys keep column order.
            let pt = try await f.client.get(f.rowRef(n.playlistTrack, 1, 3402))
            #expect(pt.object?.ref.key == ObjectKey(["sql", .string(n.playlistTrack), 1, 3402]))
            #expect((pt.object?.refs[n.playlist] ?? nil)?.key == ObjectKey(["sql", .string(n.playlist), 1]))
            #expect((pt.object?.refs[n.track] ?? nil)?.key == ObjectKey(["sql", .string(n.track), 3402]))

            // Concurrent requests each get their own session.
            try await withThrowingTaskGroup(of: Int64?.self) { group in
                for i in 0..<24 {
                    group.addTask { try await f.count(albums, i % 2 == 0 ? [:] : [n.artistId: 1]) }
                }
                var results: [Int64?] = []
                for try await r in group { results.append(r) }
                #expect(results.filter { $0 == 347 }.count == 12)
                #expect(results.filter { $0 == 2 }.count == 12)
            }

            // A NULL foreign key is a nil ref; a set one a ref to its row.
            let reportsTo = backend == .postgres ? "reports_to_ref" : "ReportsToRef"
            let boss = try #require(try await f.client.get(f.rowRef(n.employee, 1)).object)
            #expect(boss.refs.keys.contains(reportsTo))
            #expect(boss.refs[reportsTo] == .some(nil))
            let report = try #require(try await f.client.get(f.rowRef(n.employee, 2)).object)
            #expect((report.refs[reportsTo] ?? nil)?.key == ObjectKey(["sql", .string(n.employee), 1]))

            // get of a missing row: NoData.
            #expect(try await f.client.failure("get", args: [.ref(f.rowRef(n.artist, 999_999))])?.kind == .noData)
        }

        /// A search's SELECT text is kept per shape of filters (columns, which are null, limit):
        /// searches that differ only there get their own text, also after the kept texts were
        /// dropped for being too many.
        @Test(arguments: ChinookBackend.available)
        func searchesOfOneShapeShareTheirText(_ backend: ChinookBackend) async throws {
            let n = backend.names
            let reportsTo = n.employee == "Employee" ? "ReportsTo" : "reports_to"
            let f = try await SQLFixture.make(backend) { sql, root in
                try sql.addModel(n.album, into: root)
                try sql.addModel(n.employee, into: root)
            }
            defer { Task { await f.close() } }
            let albums = try await f.table(n.album)
            let employees = try await f.table(n.employee)
            for _ in 0..<2 {
                // The same column, null or not: `IS NULL` or a parameter.
                #expect(try await f.search(employees, [reportsTo: .null]).count == 1)
                #expect(try await f.search(employees, [reportsTo: 1]).count == 2)
            }
            // More shapes than a model keeps: limits 1 to 64 (capped at 50), with and without a filter.
            for round in 0..<2 {
                for limit in 1...ModelShapes.searchShapesKept {
                    let all = try await f.search(albums, ["_limit": .int(Int64(limit))])
                    #expect(all.count == min(limit, 50), "round \(round), limit \(limit)")
                    let some = try await f.search(albums, [n.artistId: 1, "_limit": .int(Int64(limit))])
                    #expect(some.map { $0.fields[n.albumId] } == Array([1, 4].prefix(limit)), "limit \(limit)")
                }
            }
            #expect(try await f.search(employees, [reportsTo: .null]).count == 1)
        }

        @Test(arguments: ChinookBackend.available)
        func filtersOnHiddenOrUnknownColumnsAreRefused(_ backend: ChinookBackend) async throws {
            let n = backend.names
            let f = try await SQLFixture.make(backend) { sql, root in
                try sql.addModel(n.customer, into: root, hide: [n.email, n.phone])
            }
            defer { Task { await f.close() } }
            let customers = try await f.table(n.customer)
            for name in [n.email, n.phone, "NoSuchColumn"] {
                for method in ["_dab_search", "_dab_count"] {
                    let e = try await f.client.failure(method, target: customers, named: [name: "x"])
                    #expect(e?.kind == .badRequest)
                    #expect(e?.message.contains(name) == true)
                }
            }
            // A list or dict is not a value of a text column: InvalidValue naming it, before any SQL.
            let list = try await f.client.failure("_dab_search", target: customers, named: [n.firstName: [1, 2]])
            #expect(list?.kind == .invalidValue)
            #expect(list?.details["column"] == n.firstName)
        }

        @Test(arguments: ChinookBackend.available)
        func setupErrors(_ backend: ChinookBackend) async throws {
            let n = backend.names
            let db = try await backend.database(named: ChinookTests.databaseName)
            let server = BrokerServer(configuration: .init(secret: "x"))
            let sql = try await SQLLoader.reflecting(database: db, broker: server)
            #expect(throws: BrokerError.self) { try sql.addModel(n.customer, hide: [n.customerId]) }
            #expect(throws: BrokerError.self) { try sql.addModel(n.customer, hide: ["NoSuchColumn"]) }
            #expect(throws: BrokerError.self) { try sql.addModel("no_such_table") }
            // A second loader with the same id is refused; another id is fine.
            await #expect(throws: BrokerError.self) { _ = try await SQLLoader.reflecting(database: db, broker: server) }
            let other = try await SQLLoader.reflecting(database: db, broker: server, id: "sql2")
            try other.addModel(n.artist)
            #expect(other.tableKey(n.artist) == ObjectKey(["sql2", .string(n.artist)]))
            await db.close()
        }
    }
}
