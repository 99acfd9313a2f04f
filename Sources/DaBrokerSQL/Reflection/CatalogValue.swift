import DaBrokerCore

/// Lenient reading of catalog values: drivers return catalog columns as strings, integers or
/// booleans depending on the database and protocol, and reflection must not care which.
extension Value {
    /// The value as text (`nil` for `NULL`).
    var catalogString: String? {
        switch self {
        case .null: return nil
        case .string(let s): return s
        case .int(let i): return String(i)
        case .decimal(let d): return d
        case .double(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .json(let s): return s
        default: return String(describing: self)
        }
    }

    /// The value as an integer (`nil` for `NULL` or non-numeric text).
    var catalogInt: Int64? {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        case .string(let s), .decimal(let s): return Int64(s)
        case .double(let d): return Int64(exactly: d.rounded())
        case .bytes(let b): return Int64(String(decoding: b, as: UTF8.self))
        default: return nil
        }
    }

    /// The value as a boolean: `true`/`t`/`yes`/`y`/`on`/non-zero.
    var catalogBool: Bool {
        switch self {
        case .bool(let b): return b
        case .int(let i): return i != 0
        default:
            guard let s = catalogString?.lowercased() else { return false }
            if let i = Int64(s) { return i != 0 }
            return ["t", "true", "yes", "y", "on"].contains(s)
        }
    }
}
