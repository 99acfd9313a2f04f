import DaBrokerSQL

/// Opens SQLite test databases through the SQLite driver (branch `sqlite`, not merged yet).
enum SQLiteTestConnection {
    static let isAvailable = false

    struct NotAvailable: Error {}

    static func open(path: String) async throws -> any DatabaseConnection {
        throw NotAvailable()
    }
}
