/// The notice logged once per process on the first nested session scope on SQLite.
public enum SQLiteNotice {
    /// The process-wide notice.
    public static let shared = OnceNotice(
        message: "SQLite holds one database-wide write lock for the whole outermost session scope: "
            + "nested scopes are savepoints inside it, and other writers wait until it ends "
            + "(set SQLiteNotice.silenced = true to hide this notice)")

    /// Process-wide switch: `true` silences the notice.
    public static var silenced: Bool {
        get { shared.isSilenced }
        set { shared.isSilenced = newValue }
    }
}
