import DaBrokerTestSupport
import Foundation
import Testing

/// `dabroker models --database` on Chinook, on each database: 11 tables with their refs and
/// backrefs; `--json` is stable.
@Suite("dabroker models on Chinook", .serialized)
struct ModelsCommandTests {
    struct Listing: Decodable {
        struct Table: Decodable {
            struct Ref: Decodable {
                var name: String
                var columns: [String]
                var target: String
            }
            struct Backref: Decodable {
                var name: String
                var source: String
            }
            var name: String
            var mode: String
            var primaryKey: [String]
            var refs: [Ref]
            var backrefs: [Backref]
            struct Field: Decodable {
                var name: String
                var kind: String
            }
            var fields: [Field]
        }
        var tables: [Table]
    }

    /// Names compared across databases: lower case, no underscores (`PlaylistTrack` ≡ `playlist_track`).
    static func norm(_ s: String) -> String { s.lowercased().replacingOccurrences(of: "_", with: "") }

    @Test(arguments: ChinookCLIFixture.available)
    func chinook(_ fixture: ChinookCLIFixture) async throws {
        let url = try await fixture.load()
        let first = try await ChildProcess.run(["models", "--database", url, "--json"])
        #expect(first.status == 0, "\(first.err)")
        let second = try await ChildProcess.run(["models", "--database", url, "--json"])
        #expect(first.out == second.out, "--json output is stable")
        let listing = try JSONDecoder().decode(Listing.self, from: Data(first.out.utf8))
        #expect(listing.tables.count == 11)
        let tables = Dictionary(uniqueKeysWithValues: listing.tables.map { (Self.norm($0.name), $0) })
        let pt = try #require(tables["playlisttrack"])
        #expect(pt.primaryKey.map(Self.norm) == ["playlistid", "trackid"])
        #expect(Set(pt.refs.map { Self.norm($0.target) }) == ["playlist", "track"])
        let employee = try #require(tables["employee"])
        #expect(employee.refs.contains { Self.norm($0.target) == "employee" }, "employee refers to itself")
        #expect(employee.backrefs.contains { Self.norm($0.source) == "employee" })
        let customer = try #require(tables["customer"])
        #expect(customer.refs.contains { Self.norm($0.columns.joined()) == "supportrepid" })
        for name in ["artist", "album", "genre", "mediatype", "invoice"] {
            #expect(tables[name]?.backrefs.isEmpty == false, "\(name) has backrefs")
        }
        #expect(listing.tables.allSatisfy { $0.mode == "readOnly" })
        let invoice = try #require(tables["invoice"])
        #expect(invoice.fields.first { Self.norm($0.name) == "total" }?.kind == "decimal")
        #expect(invoice.fields.first { Self.norm($0.name) == "invoicedate" }?.kind == "timestamp")

        let text = try await ChildProcess.run(["models", "--database", url])
        #expect(text.out.hasPrefix("11 tables exported from"))
        #expect(text.out.contains("backref"))
    }
}
