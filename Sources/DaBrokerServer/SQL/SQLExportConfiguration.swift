/// Which tables ``SQLLoader/addAll(_:into:field:)`` exports, and how.
public struct SQLExportConfiguration: Sendable {
    /// Per-table settings (the configuration file's `tables:` entries).
    public struct Table: Sendable, Hashable {
        public var rw: AccessMode
        /// Columns that never leave the server. Primary-key columns cannot be hidden.
        public var hide: Set<String>
        /// Whether clients may cache search and count results (`_dab_cached`).
        public var cached: Bool

        public init(rw: AccessMode = .readOnly, hide: Set<String> = [], cached: Bool = true) {
            self.rw = rw
            self.hide = hide
            self.cached = cached
        }
    }

    /// The mode of tables without an entry in ``tables``.
    public var defaultMode: AccessMode
    /// Settings by table key (see `DatabaseSchema.key(schema:name:)`).
    public var tables: [String: Table]
    /// Table keys not to export at all.
    public var exclude: Set<String>

    public init(defaultMode: AccessMode = .readOnly, tables: [String: Table] = [:], exclude: Set<String> = []) {
        self.defaultMode = defaultMode
        self.tables = tables
        self.exclude = exclude
    }
}
