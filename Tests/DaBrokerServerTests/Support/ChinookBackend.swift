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
    static var available: [ChinookBackend] {
        allCases.filter {
            switch $0 {
            case .sqlite: true
            case .postgres: TestServices.isAvailable(.postgres)
            case .mariadb: TestServices.isAvailable(.mysql)
            }
        }
    }

    static let databaseName = "broker_chinook"

    /// Chinook's spelling on this database (PostgreSQL: snake case; the others: CamelCase).
    var n: ChinookNames { self == .postgres ? .snake : .camel }

    /// A database holding a fresh copy of Chinook (made once per process and backend).
    func database() async throws -> Database {
        let url = try await ChinookLoader.shared.url(for: self)
        return try await Database.open(url: url)
    }

    /// Creates and loads the database; returns its URL.
    func load() async throws -> String {
        let url: String
        switch self {
        case .postgres:
            let base = try TestServices.url(for: .postgres)
            let admin = try await PostgresConnection.connect(url: base)
            _ = try await admin.execute(
                "DROP DATABASE IF EXISTS \(admin.dialect.quote(Self.databaseName)) WITH (FORCE)")
            _ = try await admin.execute("CREATE DATABASE \(admin.dialect.quote(Self.databaseName))")
            await admin.close()
            url = Self.url(base, database: Self.databaseName)
        case .mariadb:
            let base = try TestServices.url(for: .mysql)
            let admin = try await MariaDBConnection.connect(url: base)
            _ = try await admin.execute("DROP DATABASE IF EXISTS \(admin.dialect.quote(Self.databaseName))")
            _ = try await admin.execute(
                "CREATE DATABASE \(admin.dialect.quote(Self.databaseName)) CHARACTER SET utf8mb4")
            await admin.close()
            url = Self.url(base, database: Self.databaseName)
        case .sqlite:
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("\(Self.databaseName)-\(getpid()).sqlite").path
            for suffix in ["", "-wal", "-shm", "-journal"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
            url = "sqlite:" + path
        }
        let db = try await Database.open(url: url)
        let script = try chinookScript
        try await db.withConnection { conn in try await Self.runScript(script, on: conn) }
        await db.close()
        return url
    }

    /// `url` with its database (the path) replaced by `database`, query kept.
    static func url(_ url: String, database: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let query = rest.firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        return url[..<schemeEnd.upperBound] + authority + "/" + database + query
    }

    /// Runs a script statement by statement (statements end with `;` at the end of a line);
    /// comments and database switching lines are dropped.
    static func runScript(_ script: String, on connection: any DatabaseConnection) async throws {
        var statement = ""
        var inComment = false
        for line in script.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if inComment {
                if trimmed.hasSuffix("*/") { inComment = false }
                continue
            }
            if statement.isEmpty {
                if trimmed.hasPrefix("/*") {
                    inComment = !trimmed.hasSuffix("*/")
                    continue
                }
                let upper = trimmed.uppercased()
                if trimmed.isEmpty || trimmed.hasPrefix("--") || trimmed.hasPrefix("\\")
                    || upper.hasPrefix("CREATE DATABASE") || upper.hasPrefix("DROP DATABASE") || upper.hasPrefix("USE ")
                {
                    continue
                }
            }
            statement += line + "\n"
            if trimmed.hasSuffix(";") {
                _ = try await connection.execute(statement)
                statement = ""
            }
        }
        if !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            _ = try await connection.execute(statement)
        }
    }

    var chinookScript: String {
        get throws {
            let file =
                switch self {
                case .postgres: "Chinook_PostgreSql.sql"
                case .mariadb: "Chinook_MySql.sql"
                case .sqlite: "Chinook_Sqlite.sql"
                }
            var candidates: [URL] = []
            if let dir = ProcessInfo.processInfo.environment["DABROKER_CHINOOK_DIR"] {
                candidates.append(URL(fileURLWithPath: dir))
            }
            var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            while dir.path != "/" {
                dir = dir.deletingLastPathComponent()
                candidates.append(dir.appendingPathComponent("shared/datasets/chinook"))
            }
            for c in candidates where FileManager.default.fileExists(atPath: c.appendingPathComponent(file).path) {
                return try String(contentsOf: c.appendingPathComponent(file), encoding: .utf8)
            }
            throw BrokerError.internal("\(file) not found in any ancestor's shared/datasets/chinook")
        }
    }
}

/// Loads each backend's Chinook once per process.
actor ChinookLoader {
    static let shared = ChinookLoader()
    private var loading: [ChinookBackend: Task<String, any Error>] = [:]

    func url(for backend: ChinookBackend) async throws -> String {
        if let t = loading[backend] { return try await t.value }
        let t = Task { try await backend.load() }
        loading[backend] = t
        return try await t.value
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
