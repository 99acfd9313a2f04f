import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

/// The three databases the SQL loader tests run on, each holding Chinook in a database of
/// the broker tests' own (`broker_chinook` on PostgreSQL and MariaDB, a temporary file on
/// SQLite), loaded once per test process.
enum ChinookBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres, mariadb

    var testDescription: String { rawValue }

    /// The backends whose service is configured (all of them in CI, where a missing one fails).
    static var available: [ChinookBackend] { allCases.filter { TestDatabases.isAvailable($0.kind) } }

    /// The kind of database this backend is.
    var kind: DatabaseKind {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        case .mariadb: .mysql
        }
    }

    static let databaseName = "broker_chinook"

    /// Chinook's spelling on this database (PostgreSQL: snake case; the others: CamelCase).
    var n: ChinookNames { self == .postgres ? .snake : .camel }

    /// A database holding a fresh copy of Chinook (made once per process and backend).
    func database() async throws -> Database {
        try await Database.open(url: try await ChinookDatabases.shared.url(kind, named: Self.databaseName))
    }
}

/// Table and column names of Chinook in one spelling.
struct ChinookNames: Sendable {
    let artist, artistId, name, album, albumId, title, track, trackId, customer, customerId, firstName, email, phone,
        supportRepId, supportRep, genre, mediaType, playlistTrack, playlist, playlistId, employee: String

    static let camel = ChinookNames(
        artist: "Artist", artistId: "ArtistId", name: "Name", album: "Album", albumId: "AlbumId", title: "Title",
        track: "Track", trackId: "TrackId", customer: "Customer", customerId: "CustomerId", firstName: "FirstName",
        email: "Email", phone: "Phone", supportRepId: "SupportRepId", supportRep: "SupportRep", genre: "Genre",
        mediaType: "MediaType", playlistTrack: "PlaylistTrack", playlist: "Playlist", playlistId: "PlaylistId",
        employee: "Employee")
    static let snake = ChinookNames(
        artist: "artist", artistId: "artist_id", name: "name", album: "album", albumId: "album_id", title: "title",
        track: "track", trackId: "track_id", customer: "customer", customerId: "customer_id", firstName: "first_name",
        email: "email", phone: "phone", supportRepId: "support_rep_id", supportRep: "support_rep", genre: "genre",
        mediaType: "media_type", playlistTrack: "playlist_track", playlist: "playlist", playlistId: "playlist_id",
        employee: "employee")
}

/// The SQL loader tests share one Chinook database per backend, so they run one at a time.
@Suite("SQL loader on Chinook", .serialized)
enum ChinookTests {}
