import DaBrokerCore
import Synchronization

/// Keeps every message an ``InProcessServerTransport``'s tap reports (requests, replies and
/// broadcasts), in order, so tests can scan all the bytes a client could ever see.
public final class TrafficLog: Sendable {
    private let messages = Mutex<[(InProcessServerTransport.Traffic, [UInt8])]>([])

    public init() {}

    /// The tap to give the transport.
    public var tap: @Sendable (InProcessServerTransport.Traffic, [UInt8]) -> Void {
        { [self] kind, bytes in append(kind, bytes) }
    }

    /// Records one message.
    public func append(_ kind: InProcessServerTransport.Traffic, _ bytes: [UInt8]) {
        messages.withLock { $0.append((kind, bytes)) }
    }

    /// Everything logged, in order.
    public var entries: [(InProcessServerTransport.Traffic, [UInt8])] { messages.withLock { $0 } }

    /// Everything the server sent (replies and broadcasts).
    public var outgoing: [[UInt8]] { messages.withLock { $0.filter { $0.0 != .request }.map(\.1) } }

    /// How many broadcasts were logged.
    public var broadcastCount: Int { messages.withLock { $0.filter { $0.0 == .broadcast }.count } }

    /// Forgets what was logged.
    public func clear() { messages.withLock { $0.removeAll() } }
}

/// Whether `needle` occurs in `haystack` (for scanning encoded messages).
public func contains(_ haystack: [UInt8], _ needle: some Collection<UInt8>) -> Bool {
    let needle = Array(needle)
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
        if haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
    }
    return false
}

/// Whether the UTF-8 of `needle` occurs in `haystack`.
public func contains(_ haystack: [UInt8], _ needle: String) -> Bool { contains(haystack, needle.utf8) }
