/// The method names of the wire protocol (a request's `_m`), spelled as the original
/// DaBroker spells them. Servers, clients and tools name methods through these constants;
/// `docs/protocol.md` describes what each does.
public enum Method {
    /// Server-level: the root object.
    public static let root = "root"
    /// Server-level: one object by its ref (`_a`: the ref).
    public static let get = "get"
    /// Server-level: change an object (`_a`: its ref, `k`: field → `[old, new]`); also listed
    /// in a writable table's row calls.
    public static let update = "update"
    /// Server-level: answers its argument.
    public static let echo = "echo"
    /// Server-level: answers `true` and the last broadcast id (the client's `connect`).
    public static let ping = "ping"
    /// Server-level: the number of objects behind a backref (`_a`: ref, name).
    public static let backrefCount = "backref_len"
    /// Server-level: one object behind a backref (`_a`: ref, name, index).
    public static let backrefObject = "backref_idx"
    /// Class-level: find objects by equality filters (named args, `_limit`).
    public static let search = "_dab_search"
    /// Class-level: count objects matching equality filters.
    public static let count = "_dab_count"
    /// Class-level: one page of the objects matching `_where`/equality filters in `_order`,
    /// after the signed cursor `_after` (an extension; docs/protocol.md "Queries").
    public static let page = "_dab_page"
    /// Class-level: create an object from named fields (or many, `_rows`, in one transaction).
    public static let new = "new"
    /// Class-level: create the object with these key values, or update it (`_on`, `_old`).
    public static let upsert = "upsert"
    /// On a row: one page of the objects behind a backref (`_a`: name; `_after`, `_limit`).
    public static let backrefPage = "backref_page"
    /// Class-level (`_a`: the object's ref) or on the object itself: delete it.
    public static let delete = "delete"
    /// The broadcast that tells clients an object changed.
    public static let invalidKey = "invalid_key"

    /// Every request method above: the label values metrics may use for a method. A new
    /// method belongs here too, else its requests are counted as `"other"`.
    public static let requestMethods: Set<String> = [
        root, get, update, echo, ping, backrefCount, backrefObject, backrefPage, search, count, page, new, upsert,
        delete,
    ]

    /// A request's `_m` as a bounded label value: the method if it is one of
    /// ``requestMethods``, else `"other"` (never a client-given string).
    public static func label(_ name: String?) -> String {
        guard let name, requestMethods.contains(name) else { return "other" }
        return name
    }
}
