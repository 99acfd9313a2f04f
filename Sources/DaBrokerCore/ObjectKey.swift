/// The stable identity of a brokered object: an ordered list of scalars.
///
/// A row is `["sql", "person", 3]`, a table's info `["sql", "person"]`, that info's own meta
/// `["sql", "_meta", "person"]`, a static object `["static", …]`. The empty key is the meta
/// singleton that ends every `_meta` chain. Keys are the same on every server and across
/// restarts.
public struct ObjectKey: Sendable, Hashable, CustomStringConvertible {
    public var parts: [Value] {
        didSet { digest = Self.digest(parts) }
    }
    /// The hash of ``parts``, made once: keys are hashed and compared far more often than made
    /// (caches, a reply's access codes, the encoder's shared objects).
    private var digest: Int

    public init(_ parts: [Value]) {
        self.parts = parts
        self.digest = Self.digest(parts)
    }

    private static func digest(_ parts: [Value]) -> Int {
        var hasher = Hasher()
        hasher.combine(parts)
        return hasher.finalize()
    }

    public static func == (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        lhs.digest == rhs.digest && lhs.parts == rhs.parts
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(digest) }

    /// The key of the self-describing meta singleton (`_ROOT` on the wire).
    public static let metaRoot = ObjectKey([])

    public var isMetaRoot: Bool { parts.isEmpty }

    /// How the key appears in messages: `('sql','person',3)`. A key may come from a client, so
    /// each part is cut to ``BrokerError/excerpt(_:limit:)`` and at most
    /// ``describedParts`` parts are shown.
    public var description: String {
        var shown = parts.prefix(Self.describedParts).map { part -> String in
            switch part {
            case .string(let s): return "'\(BrokerError.excerpt(s))'"
            case .int(let i): return String(i)
            default: return BrokerError.excerpt(part.written)
            }
        }
        if parts.count > Self.describedParts { shown.append("…") }
        return "(" + shown.joined(separator: ",") + ")"
    }

    /// How many parts of a key ``description`` shows.
    public static let describedParts = 8
}
