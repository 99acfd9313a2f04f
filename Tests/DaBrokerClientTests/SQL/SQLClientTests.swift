import DaBrokerClient
import DaBrokerCore
import DaBrokerServer
import DaBrokerServerTestSupport
import Testing

/// `BrokerClient` against the SQL loader on Chinook, on every configured database.
@Suite("Client: SQL models on Chinook", .serialized)
struct SQLClientTests {
    @Test(arguments: ChinookBackend.available)
    func readsThroughModelHandles(_ backend: ChinookBackend) async throws {
        let f = try await SQLClientFixture.start(backend)
        let n = f.n
        let client = try await f.client()
        let artists = try await client.model(n.artist)
        let albums = try await client.model(n.album)
        let tracks = try await client.model(n.track)

        let acdc = try await artists.get([n.artistId: 1])
        #expect(acdc.key == ObjectKey(["sql", .string(n.artist), 1]))
        #expect(try acdc[n.name].value == "AC/DC")
        let found = try await albums.find([n.artistId: 1])
        #expect(
            Set(try found.map { try $0[n.title].value }) == [
                "For Those About To Rock We Salute You", "Let There Be Rock",
            ])
        #expect(try await albums.find([n.artistId: 1], limit: 1).count == 1)
        #expect(try await tracks.count([n.albumId: 1]) == 10)
        #expect(try await artists.count() == 275)
        // Column facts from the table info.
        #expect(albums.fields[n.title]?.nullable == false, "\(albums.fields)")
        #expect(artists.fields[n.name]?.nullable == true, "\(artists.fields)")
        #expect(albums.fields[n.title]?.type != nil)

        // Exactly one, else NoData / ManyData.
        let none = await #expect(throws: BrokerError.self) { try await artists.get([n.artistId: 99_999]) }
        #expect(none?.kind == .noData)
        let many = await #expect(throws: BrokerError.self) { try await albums.get([n.artistId: 1]) }
        #expect(many?.kind == .manyData)

        // An album's ref to its artist resolves through the cache to the same instance.
        let album = try #require(found.first)
        let refName = try #require(album.refs.keys.first { $0 != "_meta" })
        #expect(try await album[refName].object === acdc)
        // The artist's back-reference to its albums is an async sequence.
        let backref = try #require(try await acdc.meta().info?.backrefs.keys.first)
        var titles: Set<Value> = []
        for try await a in acdc[backref].objects { titles.insert(try a[n.title].value) }
        #expect(titles == ["For Those About To Rock We Salute You", "Let There Be Rock"])

        // A hidden column is not there, and cannot be searched on.
        let customers = try await client.model(n.customer)
        let customer = try await customers.get([n.customerId: 1])
        #expect(customer.fields[n.email] == nil)
        #expect(throws: BrokerError.self) { try customer[n.email].value }
        let hidden = await #expect(throws: BrokerError.self) { try await customers.find([n.email: "x@example.com"]) }
        #expect(hidden?.kind == .badRequest)
        await client.close()
        await f.stop()
    }

    @Test(arguments: ChinookBackend.available)
    func writesThroughModelHandles(_ backend: ChinookBackend) async throws {
        let f = try await SQLClientFixture.start(backend)
        let n = f.n
        try await f.deleteRows(n.genre, n.genreId, from: 7000, to: 7099)
        let client = try await f.client()
        let genres = try await client.model(n.genre)
        let before = try await genres.count()

        let created = try await genres.new([n.genreId: 7001, n.name: "client new"])
        #expect(try created[n.name].value == "client new")
        #expect(try await genres.count() == before + 1)
        #expect(try await genres.get([n.genreId: 7001]) === created)

        let renamed = try await genres.update(created, [n.name: "client renamed"])
        #expect(try renamed[n.name].value == "client renamed")
        #expect(created.isObsolete)
        #expect(try await genres.get([n.genreId: 7001])[n.name] == "client renamed")
        #expect(try await genres.find([n.name: "client new"]).isEmpty)

        // The stale copy's old value no longer matches: refused, naming the field, nothing written.
        let stale = await #expect(throws: BrokerError.self) { try await genres.update(created, [n.name: "lost"]) }
        #expect(stale?.kind == .staleData)
        #expect(stale?.message.contains(n.name) == true)
        #expect(try await genres.get([n.genreId: 7001])[n.name] == "client renamed")

        try await genres.delete(renamed)
        #expect(renamed.isObsolete)
        let gone = await #expect(throws: BrokerError.self) { try await genres.get([n.genreId: 7001]) }
        #expect(gone?.kind == .noData)
        #expect(try await genres.count() == before)

        // Read-only tables refuse writes.
        let albums = try await client.model(n.album)
        let album = try await albums.get([n.albumId: 1])
        let refused = await #expect(throws: BrokerError.self) { try await albums.update(album, [n.title: "x"]) }
        #expect(refused?.kind == .readOnly)
        await client.close()
        await f.stop()
    }

    @Test(arguments: ChinookBackend.available)
    func anUpdateThroughOneClientInvalidatesTheOthers(_ backend: ChinookBackend) async throws {
        let f = try await SQLClientFixture.start(backend)
        let n = f.n
        try await f.deleteRows(n.artist, n.artistId, from: 7100, to: 7199)
        let alice = try await f.client()
        let bob = try await f.client()
        let aliceArtists = try await alice.model(n.artist)
        let bobArtists = try await bob.model(n.artist)
        _ = try await aliceArtists.new([n.artistId: 7101, n.name: "client shared"])

        let bobsCopy = try await bobArtists.get([n.artistId: 7101])
        let bobsFind = try await bobArtists.find([n.name: "client shared"])
        #expect(bobsFind.first === bobsCopy)
        let misses = bob.statistics.callMisses
        #expect(try await bobArtists.find([n.name: "client shared"]).first === bobsCopy)
        #expect(bob.statistics.callMisses == misses)  // served from Bob's cache

        let alicesCopy = try await aliceArtists.get([n.artistId: 7101])
        try await aliceArtists.update(alicesCopy, [n.name: "client changed"])
        try await bob.synchronize()
        #expect(bobsCopy.isObsolete)
        #expect(bob.cachedObject(for: bobsCopy.key) == nil)
        #expect(try await bobArtists.find([n.name: "client shared"]).isEmpty)
        #expect(bob.statistics.callMisses > misses)
        #expect(try await bobArtists.get([n.artistId: 7101])[n.name] == "client changed")
        #expect(try await bobsCopy.refresh()[n.name] == "client changed")

        try await aliceArtists.delete(try await aliceArtists.get([n.artistId: 7101]))
        await alice.close()
        await bob.close()
        await f.stop()
    }

    @Test(arguments: ChinookBackend.available)
    func readYourWritesThroughSQL(_ backend: ChinookBackend) async throws {
        let f = try await SQLClientFixture.start(backend)
        let n = f.n
        try await f.deleteRows(n.genre, n.genreId, from: 7200, to: 7299)
        let client = try await f.client()
        let genres = try await client.model(n.genre)
        var current = try await genres.new([n.genreId: 7201, n.name: "v0"])
        for i in 1...100 {
            _ = try await genres.update(current, [n.name: .string("v\(i)")])
            // Read back through the cache (get by filter, then by ref): never the old value.
            current = try await genres.get([n.genreId: 7201])
            #expect(try current[n.name].value == .string("v\(i)"))
            #expect(try await client.get(current.ref)[n.name] == .string("v\(i)"))
        }
        try await genres.delete(current)
        await client.close()
        await f.stop()
    }
}
