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
    static var available: [ChinookDatabase] {
        allCases.filter {
            switch $0 {
            case .sqlite: true
            case .postgres: TestServices.isAvailable(.postgres)
            case .mariadb: TestServices.isAvailable(.mysql)
            }
        }
    }

    static let databaseName = "client_chinook"

    /// Chinook's names on this database (PostgreSQL: snake case; the others: CamelCase).
    var names: ChinookNames { self == .postgres ? .snake : .camel }

    /// A pool on a fresh copy of Chinook (made once per process and backend).
    func open() async throws -> Database {
        try await Database.open(url: try await ChinookDatabaseLoader.shared.url(for: self))
    }

    fileprivate func load() async throws -> String {
        let url: String
        switch self {
        case .postgres, .mariadb:
            let base = try TestServices.url(for: self == .postgres ? .postgres : .mysql)
            let admin = try await Database.open(url: base)
            let name = admin.dialect.quote(Self.databaseName)
            if self == .postgres {
                _ = try await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
                _ = try await admin.execute("CREATE DATABASE \(name)")
            } else {
                _ = try await admin.execute("DROP DATABASE IF EXISTS \(name)")
                _ = try await admin.execute("CREATE DATABASE \(name) CHARACTER SET utf8mb4")
            }
            await admin.close()
            url = Self.replacingDatabase(in: base, with: Self.databaseName)
        case .sqlite:
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("\(Self.databaseName)-\(getpid()).sqlite").path
            for suffix in ["", "-wal", "-shm", "-journal"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
            url = "sqlite:" + path
        }
        let db = try await Database.open(url: url)
        let script = try Self.script(for: self)
        try await db.withConnection { connection in
            for statement in Self.statements(of: script) { _ = try await connection.execute(statement) }
        }
        await db.close()
        return url
    }

    private static func replacingDatabase(in url: String, with database: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let query = rest.firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        return url[..<schemeEnd.upperBound] + authority + "/" + database + query
    }

    /// The script's statements (each ends with `;` at the end of a line), without comments
    /// and database switching.
    private static func statements(of script: String) -> [String] {
        var statements: [String] = []
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
                statements.append(statement)
                statement = ""
            }
        }
        if !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { statements.append(statement) }
        return statements
    }

    private static func script(for backend: ChinookDatabase) throws -> String {
        let file =
            switch backend {
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
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent(file).path) {
            return try String(contentsOf: candidate.appendingPathComponent(file), encoding: .utf8)
        }
        throw BrokerError.internal("\(file) not found (set DABROKER_CHINOOK_DIR)")
    }
}

/// Loads each backend's Chinook once per process.
private actor ChinookDatabaseLoader {
    static let shared = ChinookDatabaseLoader()
    private var loading: [ChinookDatabase: Task<String, any Error>] = [:]

    func url(for backend: ChinookDatabase) async throws -> String {
        if let task = loading[backend] { return try await task.value }
        let task = Task { try await backend.load() }
        loading[backend] = task
        return try await task.value
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
