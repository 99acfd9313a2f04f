import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

/// Chinook on each database the client's SQL tests run on, in databases of the client tests'
/// own (`client_chinook` on PostgreSQL and MariaDB, a temporary file on SQLite), loaded once
/// per test process.
enum ChinookDatabase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres, mariadb

    var testDescription: String { rawValue }

    /// The backends whose service is configured (in CI a missing one fails the test).
    static var available: [ChinookDatabase] { allCases.filter { TestDatabases.isAvailable($0.kind) } }

    /// The kind of database this backend is.
    var kind: DatabaseKind {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        case .mariadb: .mysql
        }
    }

    static let databaseName = "client_chinook"

    /// Chinook's names on this database (PostgreSQL: snake case; the others: CamelCase).
    var names: ChinookNames { self == .postgres ? .snake : .camel }

    /// A pool on a fresh copy of Chinook (made once per process and backend).
    func open() async throws -> Database {
        try await Database.open(url: try await ChinookDatabases.shared.url(kind, named: Self.databaseName))
    }
}

/// Chinook's table and column names in one spelling.
struct ChinookNames: Sendable {
    let artist, artistId, name, album, albumId, title, track, genre, genreId, customer, customerId, email: String

    static let camel = ChinookNames(
        artist: "Artist", artistId: "ArtistId", name: "Name", album: "Album", albumId: "AlbumId", title: "Title",
        track: "Track", genre: "Genre", genreId: "GenreId", customer: "Customer", customerId: "CustomerId",
        email: "Email")
    static let snake = ChinookNames(
        artist: "artist", artistId: "artist_id", name: "name", album: "album", albumId: "album_id", title: "title",
        track: "track", genre: "genre", genreId: "genre_id", customer: "customer", customerId: "customer_id",
        email: "email")
}
