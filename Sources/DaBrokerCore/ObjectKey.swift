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

    /// Strings are hashed and compared by their UTF-8 bytes: `String`'s own `==` calls
    /// canonically equivalent strings equal (`"\u{E9}"` and `"e\u{301}"`), but they are two
    /// keys, as they are two rows of a table whose primary key is text.
    private static func digest(_ parts: [Value]) -> Int {
        var hasher = Hasher()
        hasher.combine(parts.count)
        for part in parts {
            guard case .string(let s) = part else {
                hasher.combine(part)
                continue
            }
            hasher.combine(0xFF as UInt8)  // a string, as opposed to any other part
            hasher.combine(s.utf8.count)
            let hashed: Void? = s.utf8.withContiguousStorageIfAvailable {
                hasher.combine(bytes: UnsafeRawBufferPointer($0))
            }
            if hashed == nil { for byte in s.utf8 { hasher.combine(byte) } }
        }
        return hasher.finalize()
    }

    public static func == (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        guard lhs.digest == rhs.digest, lhs.parts.count == rhs.parts.count else { return false }
        for (a, b) in zip(lhs.parts, rhs.parts) {
            if case .string(let s) = a, case .string(let t) = b {
                guard JSONString.sameBytes(s, t) else { return false }
            } else if a != b {
                return false
            }
        }
        return true
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
