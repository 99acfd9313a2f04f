import Foundation
import Testing

/// The captured messages of the original DaBroker (`shared/protocol/dabroker-wire-examples.json`).
///
/// Found relative to this source file: the repository sits beside `shared/` (X/main and
/// X/shared); `DABROKER_SHARED_DIR` overrides the location of `shared/`.
enum WireExamples {
    struct Captured: Sendable {
        var step: String
        var role: String
        var body: [UInt8]
        var properties: [String: String]
        var exchange: String
        var routingKey: String
    }

    static var path: String {
        if let dir = ProcessInfo.processInfo.environment["DABROKER_SHARED_DIR"] {
            return dir + "/protocol/dabroker-wire-examples.json"
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.deletingLastPathComponent().appendingPathComponent("shared/protocol/dabroker-wire-examples.json")
            .path
    }

    /// Every captured message; fails the test if the file is missing or unreadable.
    static func load() throws -> [Captured] {
        guard let data = FileManager.default.contents(atPath: path) else {
            Issue.record("wire examples not found at \(path)")
            throw CocoaError(.fileNoSuchFile)
        }
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let steps = try #require(root["steps"] as? [[String: Any]])
        var result: [Captured] = []
        func add(_ step: String, _ role: String, _ m: [String: Any]) throws {
            let body = try #require(m["body"] as? String)
            result.append(
                Captured(
                    step: step, role: role, body: Array(body.utf8),
                    properties: (m["properties"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String },
                    exchange: m["exchange"] as? String ?? "", routingKey: m["routing_key"] as? String ?? ""))
        }
        for s in steps {
            let name = s["step"] as? String ?? "?"
            for rpc in s["rpcs"] as? [[String: Any]] ?? [] {
                if let r = rpc["request"] as? [String: Any] { try add(name, "request", r) }
                if let r = rpc["reply"] as? [String: Any] { try add(name, "reply", r) }
            }
            for b in s["broadcasts"] as? [[String: Any]] ?? [] { try add(name, "broadcast", b) }
        }
        for b in root["other_broadcasts"] as? [[String: Any]] ?? [] { try add("other", "broadcast", b) }
        return result
    }
}

/// A JSON tree parsed by Foundation, for comparing JSON texts semantically in tests.
indirect enum JSONTree: Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONTree])
    case object([String: JSONTree])

    init(parsing bytes: [UInt8]) throws {
        self = try JSONTree(any: JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]))
    }

    init(any x: Any) throws {
        switch x {
        case is NSNull: self = .null
        case let s as String: self = .string(s)
        case let a as [Any]: self = .array(try a.map { try JSONTree(any: $0) })
        case let d as [String: Any]: self = .object(try d.mapValues { try JSONTree(any: $0) })
        case let n as NSNumber:
            let type = String(cString: n.objCType)
            if type == "c" || type == "B" || x is Bool && !(x is Int) {
                self = .bool(n.boolValue)
            } else if type == "d" || type == "f" {
                self = .double(n.doubleValue)
            } else {
                self = .int(n.int64Value)
            }
        default:
            throw CocoaError(.propertyListReadCorrupt)
        }
    }

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .int(let i): return "\(i)"
        case .double(let d): return "\(d)"
        case .string(let s): return "\"\(s)\""
        case .array(let a): return "[" + a.map(\.description).joined(separator: ",") + "]"
        case .object(let o):
            return "{" + o.keys.sorted().map { "\"\($0)\":\(o[$0]!)" }.joined(separator: ",") + "}"
        }
    }
}
