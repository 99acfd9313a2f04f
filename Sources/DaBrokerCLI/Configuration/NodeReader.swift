import DaBrokerServer
import Yams

/// Reads typed values out of a YAML node tree, turning every mismatch into a
/// `ConfigurationError` that points at the line.
struct NodeReader {
    let file: String

    struct Key {
        let string: String
        let node: Node
    }

    func location(_ node: Node) -> SourceLocation? {
        node.mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) }
    }

    func mapping(_ node: Node, path: String) throws -> [(Key, Node)] {
        guard let mapping = node.mapping else {
            throw ConfigurationError("\(path) must be a mapping of keys to values", at: location(node))
        }
        var seen = Set<String>()
        var out: [(Key, Node)] = []
        for (k, v) in mapping {
            guard let name = k.scalar?.string else {
                throw ConfigurationError("\(path) has a key that is not a plain name", at: location(k))
            }
            guard seen.insert(name).inserted else {
                throw ConfigurationError(
                    "'\(name)' is given twice in \(path)", at: location(k), hint: "keep one of them")
            }
            out.append((Key(string: name, node: k), v))
        }
        return out
    }

    func checkKeys(_ pairs: [(Key, Node)], allowed: [String], path: String) throws {
        for (k, _) in pairs where !allowed.contains(k.string) {
            throw ConfigurationError(
                "unknown key '\(k.string)' in \(path)", at: location(k.node),
                hint: "expected one of: " + allowed.joined(separator: ", "))
        }
    }

    func isNull(_ node: Node) -> Bool {
        guard let s = node.scalar else { return false }
        return s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    func string(_ node: Node, path: String) throws -> String {
        guard let s = node.scalar, !isNull(node) else {
            throw ConfigurationError("\(path) must be a string", at: location(node))
        }
        return s.string
    }

    func int(_ node: Node, path: String, range: ClosedRange<Int>) throws -> Int {
        guard node.scalar != nil, let v = node.int else {
            throw ConfigurationError(
                "\(path) must be a whole number, not '\(node.scalar?.string ?? "…")'", at: location(node))
        }
        guard range.contains(v) else {
            throw ConfigurationError(
                "\(path) is \(v), outside \(range.lowerBound)…\(range.upperBound)", at: location(node))
        }
        return v
    }

    func seconds(_ node: Node, path: String) throws -> Double {
        guard node.scalar != nil, let v = node.float, v.isFinite, v > 0 else {
            throw ConfigurationError(
                "\(path) must be a positive number of seconds, not '\(node.scalar?.string ?? "…")'", at: location(node))
        }
        return v
    }

    func bool(_ node: Node, path: String) throws -> Bool {
        guard node.scalar != nil, let v = node.bool else {
            throw ConfigurationError(
                "\(path) must be true or false, not '\(node.scalar?.string ?? "…")'", at: location(node))
        }
        return v
    }

    func strings(_ node: Node, path: String) throws -> [String] {
        if let s = node.scalar, !isNull(node) { return [s.string] }
        guard let seq = node.sequence else {
            throw ConfigurationError("\(path) must be a list of names", at: location(node))
        }
        return try seq.map { try string($0, path: "an entry of \(path)") }
    }

    /// `rw`: `null` → none, `false` → read-only, `true` → read-write (names are accepted too).
    func accessMode(_ node: Node, path: String) throws -> AccessMode {
        if isNull(node) { return .none }
        if let b = node.scalar.flatMap({ $0.style == .plain ? node.bool : nil }) { return b ? .readWrite : .readOnly }
        if let s = node.scalar?.string {
            switch s.lowercased() {
            case "none": return .none
            case "readonly", "read-only", "ro": return .readOnly
            case "readwrite", "read-write", "rw": return .readWrite
            default: break
            }
        }
        throw ConfigurationError(
            "\(path) must be null, false or true, not '\(node.scalar?.string ?? "…")'", at: location(node),
            hint: "null: no table calls; false: get/find/count; true: also new/update/delete")
    }
}
