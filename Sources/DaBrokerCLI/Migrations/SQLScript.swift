import Foundation

/// Splits a SQL script into statements at semicolons outside quotes and comments.
///
/// Drivers execute one prepared statement at a time, so migration files are split first.
/// Handles `'…'` (with `''`), `"…"`, `` `…` ``, `-- …` and `/* … */`; PostgreSQL
/// dollar-quoted bodies (`$$ … $$`, `$tag$ … $tag$`) are kept whole.
enum SQLScript {
    static func statements(in script: String) -> [String] {
        var out: [String] = []
        var current: [Character] = []
        let chars = Array(script)
        var i = 0
        func flush() {
            let s = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if !s.isEmpty, !isOnlyComments(s) { out.append(s) }
            current.removeAll()
        }
        while i < chars.count {
            let c = chars[i]
            let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            switch c {
            case "'", "\"", "`":
                let end = closing(chars, from: i, quote: c)
                current.append(contentsOf: chars[i..<end])
                i = end
                continue
            case "-" where next == "-":
                while i < chars.count, chars[i] != "\n" {
                    current.append(chars[i])
                    i += 1
                }
                continue
            case "/" where next == "*":
                let start = i
                i += 2
                while i < chars.count, !(chars[i] == "*" && i + 1 < chars.count && chars[i + 1] == "/") { i += 1 }
                i = min(i + 2, chars.count)
                current.append(contentsOf: chars[start..<i])
                continue
            case "$":
                if let tagEnd = dollarTagEnd(chars, from: i) {
                    let tag = chars[i...tagEnd]
                    var j = tagEnd + 1
                    while j < chars.count {
                        if chars[j] == "$", j + tag.count <= chars.count, chars[j..<(j + tag.count)].elementsEqual(tag)
                        {
                            j += tag.count
                            break
                        }
                        j += 1
                    }
                    current.append(contentsOf: chars[i..<min(j, chars.count)])
                    i = min(j, chars.count)
                    continue
                }
            case ";":
                flush()
                i += 1
                continue
            default: break
            }
            current.append(c)
            i += 1
        }
        flush()
        return out
    }

    private static func closing(_ chars: [Character], from start: Int, quote: Character) -> Int {
        var i = start + 1
        while i < chars.count {
            if chars[i] == quote {
                if i + 1 < chars.count, chars[i + 1] == quote {
                    i += 2
                    continue
                }
                return i + 1
            }
            i += 1
        }
        return chars.count
    }

    private static func dollarTagEnd(_ chars: [Character], from start: Int) -> Int? {
        var i = start + 1
        while i < chars.count {
            let c = chars[i]
            if c == "$" { return i }
            guard c.isLetter || c == "_" || (c.isNumber && i > start + 1) else { return nil }
            i += 1
        }
        return nil
    }

    private static func isOnlyComments(_ s: String) -> Bool {
        s.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
    }
}
