import Testing

/// The SQL loader tests share one Chinook database per backend, so they run one at a time.
@Suite("SQL loader on Chinook", .serialized)
enum ChinookTests {
    /// The broker tests' own copy of Chinook.
    static let databaseName = "broker_chinook"
}
