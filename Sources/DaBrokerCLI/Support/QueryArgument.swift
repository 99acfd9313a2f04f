import DaBrokerClient
import DaBrokerCore

/// Turns the filter words of `find` and `count` into a query: `col=value` (equality, as
/// before), `col!=v`, `col<v`, `col<=v`, `col>v`, `col>=v`, `col~pattern` (LIKE),
/// `col~~pattern` (case-insensitive LIKE), and `col:op` / `col:op=value` for every operator
/// of the wire (`:null`, `:not_null`, `:in=a,b,c`, `:prefix=…`, `:icontains=…`, …).
/// Values are read as ``ArgumentValue/parse(_:)`` reads them.
enum QueryArgument {
    static func query(_ model: ModelHandle, _ words: [String]) throws -> ModelQuery {
        var query = model.all
        for w in words {
            let (name, op, value) = try split(w)
            if op == "=" && value != nil {
                query = query.filter([name: ArgumentValue.parse(value ?? "")])
                continue
            }
            var condition: [Value] = [.string(name), .string(op)]
            if let value {
                switch op {
                case "in": condition.append(.list(value.split(separator: ",").map { ArgumentValue.parse(String($0)) }))
                case "like", "ilike", "prefix", "iprefix", "contains", "icontains": condition.append(.string(value))
                default: condition.append(ArgumentValue.parse(value))
                }
            }
            query = query.filter(.condition(.list(condition)))
        }
        return query
    }

    /// `(name, operator, value?)` of one word.
    static func split(_ w: String) throws -> (String, String, String?) {
        let bad = ConfigurationError(
            "'\(w)' is not a filter", hint: "write column=value, column>value, column~pattern or column:null")
        guard let i = w.firstIndex(where: { "!<>=~:".contains($0) }), i != w.startIndex else { throw bad }
        let name = String(w[..<i])
        let rest = w[i...]
        if rest.hasPrefix(":") {
            let body = rest.dropFirst()
            if let eq = body.firstIndex(of: "=") {
                return (name, String(body[..<eq]), String(body[body.index(after: eq)...]))
            }
            guard !body.isEmpty else { throw bad }
            return (name, String(body), nil)
        }
        for op in ["!=", "<=", ">=", "~~", "<", ">", "=", "~"] where rest.hasPrefix(op) {
            let value = String(rest.dropFirst(op.count))
            switch op {
            case "~": return (name, "like", value)
            case "~~": return (name, "ilike", value)
            default: return (name, op, value)
            }
        }
        throw bad
    }
}
