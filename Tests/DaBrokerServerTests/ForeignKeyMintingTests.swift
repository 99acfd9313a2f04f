import DaBrokerCore
import DaBrokerSQL
import DaBrokerServerTestSupport
import DaBrokerTestSupport
import OrderedCollections
import Testing

@testable import DaBrokerServer

extension ChinookTests {
    /// Issue 14, point 1: writing a guessed key into a foreign-key column must not mint an
    /// access code for a row the client could not otherwise reach.
    @Suite("SQL loader on Chinook: no access code for a guessed foreign key")
    struct ForeignKeyMintingTests {
        /// Album keys these tests create (and remove before and after).
        static let firstKey = 9300

        @Test(arguments: ChinookBackend.available)
        func plainKeyToUnsearchableTargetIsRefused(_ backend: ChinookBackend) async throws {
            let n = backend.names
            let f = try await SQLFixture.make(backend) { sql, root in
                try sql.addModel(n.album, into: root, rw: .readWrite)
                try sql.addModel(n.artist, into: root, rw: .none)
            }
            defer { Task { await f.close() } }
            try await cleanUp(f)
            let albums = try await f.table(n.album)
            let refName = try #require(f.loader.model(n.album)?.refs.first { $0.target == n.artist }?.name)
            let albumCount = try await f.scalar("SELECT COUNT(*) FROM \(f.q(n.album))")

            // new with a plain key: AccessDenied, naming the column, nothing written.
            let e = try await f.client.failure(
                "new", target: albums, named: [n.albumId: 9300, n.title: "Minted", n.artistId: 3])
            #expect(e?.kind == .accessDenied)
            #expect(e?.message.contains(n.artistId) == true)
            #expect(e?.message.contains("3") == false)
            // The same through the ref name with an unsigned or forged ref (the dispatcher's check).
            let bare = Ref(key: f.loader.rowKey(n.artist, [3]))
            #expect(
                try await f.client.failure(
                    "new", target: albums, named: [n.albumId: 9300, n.title: "Minted", refName: .ref(bare)])?
                    .kind == .accessDenied)
            // update with a plain key: AccessDenied, the row unchanged.
            let album1 = f.rowRef(n.album, 1)
            let e2 = try await f.client.failure("update", target: album1, named: [n.artistId: [1, 3]])
            #expect(e2?.kind == .accessDenied)
            let e3 = try await f.client.failure(
                "update", args: [.ref(album1)], named: ["k": .dict([n.artistId: [1, 3]])])
            #expect(e3?.kind == .accessDenied)
            // An unchanged value ([current, current]) writes nothing new and is accepted.
            let same = try await f.client.call("update", target: album1, named: [n.artistId: [1, 1]])
            #expect((same.object?.refs[refName] ?? nil)?.key == f.loader.rowKey(n.artist, [1]))
            #expect(try await f.scalar("SELECT COUNT(*) FROM \(f.q(n.album))") == albumCount)
            #expect(try await artistOf(f, 1) == 1)
            #expect(try await f.scalar("SELECT COUNT(*) FROM \(f.q(n.album)) WHERE \(f.q(n.title)) = 'Minted'") == 0)

            // With the signed ref the client was given: allowed, and the reply's ref is signed.
            let artist3 = f.rowRef(n.artist, 3)
            let created = try #require(
                try await f.client.call(
                    "new", target: albums, named: [n.albumId: 9301, n.title: "By Ref", refName: .ref(artist3)]
                ).object)
            let ref = try #require(created.refs[refName] ?? nil)
            #expect(ref.key == artist3.key)
            #expect(ref.code == artist3.code)
            // Moving it to another artist by signed ref is allowed too.
            let moved = try #require(
                try await f.client.call(
                    "update", target: created.ref, named: [refName: [.ref(artist3), .ref(f.rowRef(n.artist, 4))]]
                ).object)
            #expect((moved.refs[refName] ?? nil)?.code == f.rowRef(n.artist, 4).code)
            #expect(try await artistOf(f, 9301) == 4)
            try await cleanUp(f)
        }

        @Test(arguments: ChinookBackend.available)
        func plainKeyToUnexportedTargetIsRefused(_ backend: ChinookBackend) async throws {
            let n = backend.names
            let f = try await SQLFixture.make(backend) { sql, root in
                try sql.addModel(n.album, into: root, rw: .readWrite)
            }
            defer { Task { await f.close() } }
            try await cleanUp(f)
            let albums = try await f.table(n.album)
            let albumCount = try await f.scalar("SELECT COUNT(*) FROM \(f.q(n.album))")
            let e = try await f.client.failure(
                "new", target: albums, named: [n.albumId: 9302, n.title: "Minted", n.artistId: 5])
            #expect(e?.kind == .accessDenied)
            #expect(
                try await f.client.failure("update", target: f.rowRef(n.album, 1), named: [n.artistId: [1, 5]])?.kind
                    == .accessDenied)
            #expect(try await f.scalar("SELECT COUNT(*) FROM \(f.q(n.album))") == albumCount)
            #expect(try await artistOf(f, 1) == 1)
            // Other columns of the row can still be written.
            let title = try #require(
                try await f.scalar("SELECT \(f.q(n.title)) FROM \(f.q(n.album)) WHERE \(f.q(n.albumId)) = 1"))
            let renamed = try await f.client.call(
                "update", target: f.rowRef(n.album, 1), named: [n.title: [title, "Renamed"]])
            #expect(renamed.object?.fields[n.title] == "Renamed")
            _ = try await f.client.call("update", target: f.rowRef(n.album, 1), named: [n.title: ["Renamed", title]])
        }

        @Test(arguments: ChinookBackend.available)
        func plainKeyToSearchableTargetIsAllowed(_ backend: ChinookBackend) async throws {
            let n = backend.names
            let f = try await SQLFixture.make(backend) { sql, root in
                try sql.addModel(n.album, into: root, rw: .readWrite)
                try sql.addModel(n.artist, into: root, rw: .readOnly)
            }
            defer { Task { await f.close() } }
            try await cleanUp(f)
            let albums = try await f.table(n.album)
            let refName = try #require(f.loader.model(n.album)?.refs.first { $0.target == n.artist }?.name)
            let created = try #require(
                try await f.client.call(
                    "new", target: albums, named: [n.albumId: 9303, n.title: "Plain", n.artistId: 6]
                ).object)
            // The client could find artist 6 by searching: its ref comes signed.
            #expect((created.refs[refName] ?? nil)?.code == f.rowRef(n.artist, 6).code)
            try await cleanUp(f)
        }

        /// The ArtistId of album `id`, read directly.
        private func artistOf(_ f: SQLFixture, _ id: Int) async throws -> Int64? {
            let v = try await f.scalar(
                "SELECT \(f.q(f.n.artistId)) FROM \(f.q(f.n.album)) WHERE \(f.q(f.n.albumId)) = \(id)")
            return v.flatMap { if case .int(let i) = $0 { i } else { nil } }
        }

        private func cleanUp(_ f: SQLFixture) async throws {
            _ = try await f.db.execute(
                "DELETE FROM \(f.q(f.n.album)) WHERE \(f.q(f.n.albumId)) >= \(Self.firstKey)", [])
        }
    }
}
