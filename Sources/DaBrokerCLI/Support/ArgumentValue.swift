import DaBrokerCore

/// Turns command-line words into values: `42` → int, `1.5` → double, `true`/`false`,
/// `null`, `"quoted"` → string, a JSON list or object → list or dict; anything else is a string.
enum ArgumentValue {
    static func parse(_ word: String) -> Value {
        if word == "null" { return .null }
        if word == "true" { return .bool(true) }
        if word == "false" { return .bool(false) }
        if let i = Int64(word) { return .int(i) }
        if word.contains("."), let d = Double(word), d.isFinite { return .double(d) }
        // A JSON list or object (`'["a","b"]'`, `'{"k": 1}'`) is read as one, for array and json columns.
        if word.hasPrefix("[") || word.hasPrefix("{"), let v = try? JSONCodec().decode(value: Array(word.utf8)) {
            switch v {
            case .list, .dict: return v
            default: break
            }
        }
        if word.count >= 2, word.hasPrefix("\""), word.hasSuffix("\"") {
            return .string(String(word.dropFirst().dropLast()))
        }
        return .string(word)
    }

    /// Parses `name=value` filters; a word without `=` is an error naming it.
    static func filters(_ words: [String]) throws -> [String: Value] {
        var out: [String: Value] = [:]
        for w in words {
            guard let eq = w.firstIndex(of: "="), eq != w.startIndex else {
                throw ConfigurationError("'\(w)' is not a filter", hint: "write filters as column=value, e.g. id=3")
            }
            out[String(w[..<eq])] = parse(String(w[w.index(after: eq)...]))
        }
        return out
    }
}
