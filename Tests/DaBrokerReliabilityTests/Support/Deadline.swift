import DaBrokerCore

/// Runs `body`, failing with `Unavailable` if it takes longer than `limit` (a hang detector).
func withDeadline<T: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw BrokerError.unavailable("\(what) did not finish within \(limit)")
        }
        return value
    }
}
