import DaBrokerCore
import DaBrokerSQL
import DaBrokerServerTestSupport
import OrderedCollections
import Testing

@testable import DaBrokerServer

extension ChinookTests {
    @Suite("SQL loader on Chinook: addAll, views, exported calls")
    struct SQLLoaderConfigurationTests {
        static let view = "broker_artist_view"

        private func withView<T>(_ backend: ChinookBackend, _ body: () async throws -> T) async throws -> T {
            let n = backend.names
            let db = try await backend.database(named: ChinookTests.databaseName)
            let q = db.dialect.quote
            _ = try await db.execute("DROP VIEW IF EXISTS \(q(Self.view))")
            _ = try await db.execute(
                "CREATE VIEW \(q(Self.view)) AS SELECT \(q(n.artistId)), \(q(n.name)) FROM \(q(n.artist))"
                    + " WHERE \(q(n.artistId)) <= 3")
            do {
                let r = try await body()
                _ = try await db.execute("DROP VIEW IF EXISTS \(q(Self.view))")
                await db.close()
                return r
            } catch {
                _ = try? await db.execute("DROP VIEW IF EXISTS \(q(Self.view))")
                await db.close()
                throw error
            }
        }

        @Test(arguments: ChinookBackend.available)
        func addAllFollowsTheConfiguration(_ backend: ChinookBackend) async throws {
            let n = backend.names
            try await withView(backend) {
                var notices: [ReflectionNotice] = []
                let config = SQLExportConfiguration(
                    defaultMode: .readOnly,
                    tables: [
                        n.artist: .init(rw: .readWrite), n.customer: .init(hide: [n.email]),
                        Self.view: .init(rw: .readWrite), n.genre: .init(rw: .none, cached: false),
                    ],
                    exclude: [n.playlistTrack])
                let f = try await SQLFixture.make(backend) { sql, root in
                    notices = try sql.addAll(config, into: root)
                    #expect(throws: BrokerError.self) {
                        try sql.addAll(SQLExportConfiguration(tables: ["no_such_table": .init()]))
                    }
                }
                defer { Task { await f.close() } }
                #expect(notices.contains { $0.kind == .view && $0.table == Self.view })
                #expect(f.loader.mode(of: Self.view) == .readOnly)
                #expect(f.loader.mode(of: n.artist) == .readWrite)
                #expect(f.loader.mode(of: n.album) == .readOnly)
                #expect(f.loader.mode(of: n.genre) == AccessMode.none)
                #expect(f.loader.mode(of: n.playlistTrack) == nil)
                // The per-call check of a table call agrees with the table's meta info.
                for table in [Self.view, n.artist, n.album, n.genre] {
                    let m = try #require(f.loader.catalog.model(table))
                    for method in SQLTableModel.tableOperations.union(["get", "bogus"]) {
                        #expect(m.allowsTableCall(method) == (m.metaInfo.calls[method] != nil), "\(table).\(method)")
                    }
                }
                #expect(f.loader.tables.count == 11)  // 11 tables + the view - the excluded one

                // root.data holds every exported table's info, with backrefs of later tables.
                let root = try #require(try await f.client.call("root").object)
                let data = try #require(root.fields["data"]?.dict)
                #expect(data.count == 11)
                #expect(data[n.playlistTrack] == nil)
                let artistInfo = try #require(data[n.artist]?.info)
                #expect(artistInfo.info.backrefs[n.album] != nil)
                #expect(Set(artistInfo.info.calls.keys) == ["update", "delete"])
                #expect(data[n.customer]?.info?.info.fields[n.email] == nil)
                #expect(data[n.genre]?.info?.info.cached == .null)
                // A track's backrefs no longer include the excluded playlist_track.
                #expect(data[n.track]?.info?.info.backrefs[n.playlistTrack] == nil)

                // The view: read-only, rows keyed by their exported columns.
                let viewRef = try #require(data[Self.view]?.info?.ref)
                let rows = try await f.search(viewRef)
                #expect(rows.count == 3)
                let first = try #require(rows.first)
                #expect(first.ref.key == ObjectKey(["sql", .string(Self.view), 1, "AC/DC"]))
                #expect(try await f.client.get(first.ref).object?.fields[n.name] == "AC/DC")
                #expect(try await f.client.failure("new", target: viewRef, named: [n.name: "x"])?.kind == .readOnly)
                #expect(try await f.count(viewRef) == 3)
            }
        }

        @Test(arguments: ChinookBackend.available)
        func exportedCallsWorkInModeNone(_ backend: ChinookBackend) async throws {
            let n = backend.names
            let shout = ExportedCall(Callable("shout")) { target, args in
                guard case .key(let key) = target else { throw BrokerError.internal("no key") }
                return .string("genre \(key.parts.last.map { "\($0)" } ?? "?") says \(try args.string(0))")
            }
            let f = try await SQLFixture.make(backend) { sql, root in
                try sql.addModel(n.genre, into: root, rw: .none, calls: [shout])
            }
            defer { Task { await f.close() } }
            let genre1 = f.rowRef(n.genre, 1)
            let reply = try await f.client.call("shout", target: genre1, args: ["hi"])
            #expect(reply == "genre int(1) says hi")
            let info = try #require(try await f.client.get(try await f.table(n.genre)).info)
            #expect(Array(info.info.calls.keys) == ["shout"])
            #expect(
                try await f.client.failure("update", target: genre1, named: [n.name: ["Rock", "x"]])?.kind == .readOnly)
            #expect(try await f.client.failure("whisper", target: genre1)?.kind == .unknownCommand)
        }
    }
}
