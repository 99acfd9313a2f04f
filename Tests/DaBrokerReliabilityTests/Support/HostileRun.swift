import DaBrokerCore
import DaBrokerTestSupport
import Foundation
import Testing

/// Tallies of a hostile-input run, and the check of each reply.
struct HostileRun: CustomStringConvertible {
    var tried = 0
    var errors = 0
    var harmlessReads = 0
    var byKind: [String: Int] = [:]
    var byCategory: [String: Int] = [:]
    var unexpected: [String] = []

    /// Checks one reply against what the case allows, and counts it.
    mutating func check(_ c: HostileCase, reply: Message, markers: [[UInt8]], replyBytes: [UInt8]) {
        tried += 1
        byCategory[c.category, default: 0] += 1
        for m in markers where contains(replyBytes, m) {
            unexpected.append(
                "\(c.category): the reply contains the hidden value \(String(decoding: m, as: UTF8.self))")
        }
        if let e = reply.error {
            errors += 1
            byKind[e.kind.rawValue, default: 0] += 1
            if e.message.isEmpty { unexpected.append("\(c.category): empty error message (\(e.kind))") }
            if case .error(let kinds) = c.expect, !kinds.isEmpty, !kinds.contains(e.kind) {
                unexpected.append(
                    "\(c.category): \(e) not in \(kinds.map(\.rawValue).sorted()) for \(Self.excerpt(c.bytes))")
            }
            return
        }
        if c.expect == .harmlessRead {
            harmlessReads += 1
        } else {
            unexpected.append("\(c.category): succeeded (\(Self.excerpt(replyBytes))) for \(Self.excerpt(c.bytes))")
        }
    }

    static func excerpt(_ b: [UInt8]) -> String {
        let s = String(decoding: b.prefix(300), as: UTF8.self)
        return b.count > 300 ? s + "…(\(b.count) bytes)" : s
    }

    var description: String {
        "tried \(tried), errors \(errors), harmless reads \(harmlessReads), unexpected \(unexpected.count); kinds "
            + byKind.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
