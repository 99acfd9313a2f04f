/// SQLite's journal modes (`PRAGMA journal_mode`). WAL lets readers and one writer work at
/// the same time; the mode is stored in the database file.
public enum SQLiteJournalMode: String, Sendable, Hashable, CaseIterable {
    case delete = "DELETE"
    case truncate = "TRUNCATE"
    case persist = "PERSIST"
    case memory = "MEMORY"
    case wal = "WAL"
    case off = "OFF"
}
