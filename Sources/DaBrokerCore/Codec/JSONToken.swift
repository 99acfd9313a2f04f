/// One entry of the flat token tape the tokenizer builds from a JSON text.
///
/// Containers are followed by their contents (objects: key string, value, key, value, …);
/// `next` is the index of the first token after a value's whole subtree, so a reader can
/// skip any value in O(1).
struct JSONToken {
    enum Kind: UInt8 {
        case null, `true`, `false`, int, float, string, object, array
    }

    var kind: Kind
    /// Strings: the text contains backslash escapes.
    var escaped: Bool
    /// Strings: the first byte after the opening quote; numbers: the first byte;
    /// containers: the opening bracket.
    var start: Int32
    /// Strings: the closing quote; numbers: one past the last byte; containers: one past
    /// the closing bracket.
    var end: Int32
    /// The index of the first token after this value's subtree.
    var next: Int32
    /// Containers: the number of members (objects) or elements (arrays).
    var count: Int32

    init(_ kind: Kind, start: Int, end: Int, next: Int, escaped: Bool = false) {
        self.kind = kind
        self.escaped = escaped
        self.start = Int32(truncatingIfNeeded: start)
        self.end = Int32(truncatingIfNeeded: end)
        self.next = Int32(truncatingIfNeeded: next)
        self.count = 0
    }
}
