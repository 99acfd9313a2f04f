/// The stable identity of a brokered object: an ordered list of scalars.
///
/// A row is `["sql", "person", 3]`, a table's info `["sql", "person"]`, that info's own meta
/// `["sql", "_meta", "person"]`, a static object `["static", …]`. The empty key is the meta
/// singleton that ends every `_meta` chain. Keys are the same on every server and across
/// restarts.
public struct ObjectKey: Sendable, Hashable, CustomStringConvertible {
    public var parts: [Value]

    public init(_ parts: [Value]) { self.parts = parts }

    /// The key of the self-describing meta singleton (`_ROOT` on the wire).
    public static let metaRoot = ObjectKey([])

    public var isMetaRoot: Bool { parts.isEmpty }

    public var description: String {
        "("
            + parts.map { part -> String in
                switch part {
                case .string(let s): return "'\(s)'"
                case .int(let i): return String(i)
                default: return part.written
                }
            }.joined(separator: ",") + ")"
    }
}
