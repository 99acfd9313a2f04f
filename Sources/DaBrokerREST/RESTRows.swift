import Crypto
import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import Foundation
import OrderedCollections

/// How a row looks on the REST face: its exported fields as plain JSON, its refs as the URLs
/// of their rows, `_url` (its own URL) and `_backrefs` (URLs of the filtered lists of rows
/// that refer to it); and its ETag, a digest of its exported values.
struct RESTRows {
    let prefix: String

    /// The row as JSON pairs.
    func pairs(_ table: SQLExportedTable, _ row: ObjectValue) -> [(String, Value)] {
        var out = row.fields.map { ($0.key, $0.value) }
        for r in table.refs where row.fields[r.name] == nil {
            let url = (row.refs[r.name] ?? nil).flatMap(rowURL)
            out.append((r.name, url.map { .string($0) } ?? .null))
        }
        if table.hasPrimaryKey {
            let key = table.keyColumns.map { row.fields[$0] ?? .null }
            out.append(("_url", .string(url(table.name, key))))
            if !table.backrefs.isEmpty {
                let links = table.backrefs.map { b -> (String, Value) in
                    let filters = zip(b.columns, key).map { "\(Self.segment($0))=eq.\(Self.segment(Self.text($1)))" }
                    return (
                        b.name, .string(prefix + "/" + Self.segment(b.source) + "?" + filters.joined(separator: "&"))
                    )
                }
                out.append(("_backrefs", .dict(.init(uniqueKeysWithValues: links))))
            }
        }
        return out
    }

    func json(_ table: SQLExportedTable, _ row: ObjectValue) -> Value {
        .dict(.init(pairs(table, row), uniquingKeysWith: { a, _ in a }))
    }

    /// `"<digest>"`: a strong ETag over the row's exported field values.
    static func etag(_ row: ObjectValue) -> String {
        let bytes = RESTJSON.object(row.fields.map { ($0.key, $0.value) })
        let digest = SHA256.hash(data: bytes)
        return "\"" + Base64.string(Array(digest.prefix(18)), urlSafe: true) + "\""
    }

    /// The URL of a row from its ref (`["sql", table, key…]`).
    func rowURL(_ ref: Ref) -> String? {
        let parts = ref.key.parts
        guard parts.count >= 3, case .string(let table) = parts[1] else { return nil }
        return url(table, Array(parts.dropFirst(2)))
    }

    func url(_ table: String, _ key: [Value]) -> String {
        prefix + "/" + Self.segment(table) + key.map { "/" + Self.segment(Self.text($0)) }.joined()
    }

    /// The URL of a broadcast's row: from its key, or for a created row (no key) from the
    /// key columns among its values; nil for rows of other loaders or unexported tables.
    func broadcastURL(
        key: ObjectKey?, meta: ObjectKey, changes: OrderedDictionary<String, [Value]>, loader: SQLLoader
    ) -> String? {
        let parts = (key ?? meta).parts
        guard parts.count >= 2, parts[0] == .string(loader.id), case .string(let name) = parts[1],
            let table = loader.exportedTable(named: name), table.hasPrimaryKey
        else { return nil }
        if key != nil { return url(name, Array(parts.dropFirst(2))) }
        var values: [Value] = []
        for column in table.keyColumns {
            guard let value = changes[column]?.last else { return nil }
            values.append(value)
        }
        return url(name, values)
    }

    /// A key value as text in a URL.
    static func text(_ v: Value) -> String {
        switch v {
        case .string(let s), .decimal(let s): return s
        case .timestamp(let t): return RESTJSON.rfc3339(t)
        default: return v.written
        }
    }

    /// `s` as one path segment or query value: every byte but RFC 3986's unreserved
    /// characters percent-encoded (uppercase hex).
    static func segment(_ s: String) -> String {
        if s.utf8.allSatisfy(isUnreserved) { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count * 3)
        for b in s.utf8 {
            if isUnreserved(b) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(b >> 4)])
                out.append(upperHex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A path segment or query value with its percent-escapes decoded, as Foundation's
    /// `removingPercentEncoding` does (`+` stays `+`); text with a malformed escape, or whose
    /// bytes are not UTF-8 once decoded, is kept as it came.
    static func decodeSegment<S: StringProtocol>(_ s: S) -> String {
        var raw = String(s)
        guard raw.utf8.contains(UInt8(ascii: "%")) else { return raw }
        return raw.withUTF8 { bytes -> String? in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var i = 0
            while i < bytes.count {
                guard bytes[i] == UInt8(ascii: "%") else {
                    out.append(bytes[i])
                    i += 1
                    continue
                }
                guard i + 2 < bytes.count, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) else {
                    return nil
                }
                out.append(high << 4 | low)
                i += 3
            }
            return String(validating: out, as: UTF8.self)
        } ?? raw
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Letters, digits, `-`, `.`, `_` and `~`.
    static func isUnreserved(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default: return false
        }
    }

    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)
}
