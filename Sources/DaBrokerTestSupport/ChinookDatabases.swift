import DaBrokerSQL
import Foundation

/// Databases holding Chinook, each created and loaded once per test process and then shared
/// by the tests of that process (which must not change it, or must run one at a time).
public actor ChinookDatabases {
    /// The one registry of the process.
    public static let shared = ChinookDatabases()

    private var loading: [String: Task<String, any Error>] = [:]

    /// The URL of the database `name` of `kind` holding a fresh copy of Chinook. The first call
    /// for a name creates and loads it (see `TestDatabases.create`); later calls wait for that.
    /// On SQLite the file is named after the process too, as test processes share the
    /// temporary directory.
    public func url(_ kind: DatabaseKind, named name: String) async throws -> String {
        let name = kind == .sqlite ? "\(name)-\(getpid())" : name
        let key = "\(kind.rawValue)/\(name)"
        if let task = loading[key] { return try await task.value }
        let task = Task { try await Self.load(kind, named: name) }
        loading[key] = task
        return try await task.value
    }

    private static func load(_ kind: DatabaseKind, named name: String) async throws -> String {
        let url = try await TestDatabases.create(kind, named: name)
        let db = try await Database.open(url: url)
        do {
            try await db.withConnection { connection in try await ChinookScript.load(kind, into: connection) }
        } catch {
            await db.close()
            throw error
        }
        await db.close()
        return url
    }
}
