import DaBrokerSQL

/// Opens SQLite test databases (files) through the SQLite driver.
enum SQLiteTestConnection {
    static let isAvailable = true

    static func open(path: String) async throws -> any DatabaseConnection {
        try await SQLiteConnection.connect(url: "sqlite:" + path)
    }
}
