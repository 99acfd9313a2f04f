import DaBrokerCore
import Foundation

/// Keeps every message an ``InProcessServerTransport``'s tap reports (requests, replies and
/// broadcasts), so tests can scan all the bytes a client could ever see.
final class TrafficLog: @unchecked Sendable {
    // @unchecked: every stored var is only touched while `lock` is held.
    private let lock = NSLock()
    private var messages: [(InProcessServerTransport.Traffic, [UInt8])] = []

    /// The tap to give the transport.
    var tap: @Sendable (InProcessServerTransport.Traffic, [UInt8]) -> Void {
        { [self] kind, bytes in lock.withLock { messages.append((kind, bytes)) } }
    }

    /// Everything the server sent (replies and broadcasts).
    var outgoing: [[UInt8]] { lock.withLock { messages.filter { $0.0 != .request }.map(\.1) } }

    var broadcastCount: Int { lock.withLock { messages.filter { $0.0 == .broadcast }.count } }

    /// Forgets what was logged.
    func clear() { lock.withLock { messages.removeAll() } }
}

/// Whether `needle` occurs in `haystack` (for scanning encoded messages).
func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard let first = needle.first, haystack.count >= needle.count else { return false }
    var i = 0
    let last = haystack.count - needle.count
    while i <= last {
        if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
        i += 1
    }
    return false
}
