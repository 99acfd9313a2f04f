import Foundation

/// The enumerations SQLite schemas write as checks: `CHECK (mood IN ('happy', 'sad'))`, read
/// from a table's `CREATE TABLE` text, so that a value outside the list is refused before
/// SQL (`InvalidValue` with the allowed values) as on databases with enum types.
enum SQLiteCheckEnums {
    /// Column name (as written in the check) → allowed labels, for every
    /// `CHECK (<column> IN ('a', 'b', …))` in `sql` whose list holds only string literals.
    static func read(_ sql: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        var rest = Substring(sql)
        while let check = rest.range(of: "CHECK", options: .caseInsensitive) {
            rest = rest[check.upperBound...]
            var s = rest.drop { $0.isWhitespace }
            guard s.first == "(" else { continue }
            s = s.dropFirst().drop { $0.isWhitespace }
            guard let (column, afterName) = identifier(s) else { continue }
            s = afterName.drop { $0.isWhitespace }
            guard s.prefix(2).uppercased() == "IN" else { continue }
            s = s.dropFirst(2).drop { $0.isWhitespace }
            guard s.first == "(" else { continue }
            s = s.dropFirst()
            var labels: [String] = []
            while true {
                s = s.drop { $0.isWhitespace }
                guard s.first == "'" else { break }
                s = s.dropFirst()
                var label = ""
                while let c = s.first {
                    s = s.dropFirst()
                    if c == "'" {
                        if s.first == "'" {
                            label.append("'")
                            s = s.dropFirst()
                        } else {
                            break
                        }
                    } else {
                        label.append(c)
                    }
                }
                labels.append(label)
                s = s.drop { $0.isWhitespace }
                if s.first == "," {
                    s = s.dropFirst()
                    continue
                }
                if s.first == ")", !labels.isEmpty { out[column] = labels }
                break
            }
        }
        return out
    }

    /// A bare or double-quoted identifier at the start of `s`, and what follows it.
    private static func identifier(_ s: Substring) -> (String, Substring)? {
        if s.first == "\"" {
            let body = s.dropFirst()
            guard let end = body.firstIndex(of: "\"") else { return nil }
            return (String(body[..<end]), body[body.index(after: end)...])
        }
        let name = s.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        return name.isEmpty ? nil : (String(name), s.dropFirst(name.count))
    }
}
