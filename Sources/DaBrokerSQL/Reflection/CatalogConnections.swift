/// The connections a reflection reads the catalog with: one, or two so that independent
/// catalog queries (and the decoding of their rows, on each connection's own thread) run side
/// by side.
struct CatalogConnections: Sendable {
    let primary: any DatabaseConnection
    let secondary: (any DatabaseConnection)?

    init(_ connections: [any DatabaseConnection]) throws {
        guard let first = connections.first else {
            throw DatabaseError(.misuse, "schema reflection needs a connection")
        }
        primary = first
        secondary = connections.dropFirst().first
    }

    /// Runs two independent reads: side by side when there are two connections, one after
    /// the other otherwise (a connection serves one task at a time).
    func both<A: Sendable, B: Sendable>(
        _ a: @Sendable (any DatabaseConnection) async throws -> A,
        _ b: @Sendable (any DatabaseConnection) async throws -> B
    ) async throws -> (A, B) {
        guard let secondary else {
            let x = try await a(primary)
            return (x, try await b(primary))
        }
        async let x = a(primary)
        let y = try await b(secondary)
        return (try await x, y)
    }
}
