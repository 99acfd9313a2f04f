/// The limits the JSON codec's decoder enforces, so that no input can exhaust memory, time
/// or stack.
///
/// Every limit violation is reported as a `BadRequest` error naming the limit. The defaults
/// suit a broker: a message up to 16 MiB, JSON nesting up to 256 levels.
public struct CodecLimits: Sendable, Hashable {
    /// The largest message, in bytes, the decoder looks at.
    public var maxMessageBytes: Int
    /// The deepest JSON nesting (objects and arrays) accepted; also bounds the nesting that
    /// `_or` references may build. Values above 1024 are treated as 1024 so that decoding
    /// never comes near the end of a thread's stack.
    public var maxDepth: Int
    /// The longest string, in UTF-8 bytes as they appear in the message (escapes included).
    public var maxStringBytes: Int
    /// The most JSON values and object keys in one message, counting each copy that an `_or`
    /// reference makes of a shared value.
    public var maxElements: Int

    public init(
        maxMessageBytes: Int = 16 << 20, maxDepth: Int = 256, maxStringBytes: Int = 16 << 20,
        maxElements: Int = 2_000_000
    ) {
        self.maxMessageBytes = maxMessageBytes
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
        self.maxElements = maxElements
    }

    /// 16 MiB per message, 256 levels, 16 MiB per string, 2,000,000 elements.
    public static let `default` = CodecLimits()

    /// The depth actually enforced (`maxDepth` clamped to 1...1024).
    var effectiveDepth: Int { min(max(maxDepth, 1), 1024) }
}
