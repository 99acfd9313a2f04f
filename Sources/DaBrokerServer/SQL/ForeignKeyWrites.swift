import DaBrokerCore

/// What a client's write names in foreign-key columns: which columns it set with a plain
/// (non-null) value, and which refs it sent (their codes already checked by the server).
struct ForeignKeyWrites: Sendable {
    /// Columns set with a plain, non-null value.
    var plainColumns: Set<String> = []
    /// Keys of the refs the client gave as values (each carried its valid code).
    var sentRefs: Set<ObjectKey> = []
    /// The refs the write set, by ref name.
    var setRefs: Set<String> = []
}
