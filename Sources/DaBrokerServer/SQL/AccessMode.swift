/// What clients may do with a table (the original's `rw`).
///
/// | mode | original | client may |
/// |---|---|---|
/// | `none` | `rw=None` | read attributes of objects it was given (`get` of a ref with its code), call explicitly exported methods |
/// | `readOnly` (default) | `rw=False` | also `_dab_search` / `_dab_count` (the client's `get`, `find`, `count`) |
/// | `readWrite` | `rw=True` | also `new`, `update` (with old-value check), `delete` |
public enum AccessMode: String, Sendable, Hashable, CaseIterable, Codable {
    case none
    case readOnly
    case readWrite

    /// Whether search and count are allowed.
    public var canRead: Bool { self != .none }
    /// Whether new, update and delete are allowed.
    public var canWrite: Bool { self == .readWrite }
}
