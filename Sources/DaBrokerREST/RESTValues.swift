import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import OrderedCollections

/// Turns a JSON request body into column values for `new` and `update`: base64 text into
/// bytes for binary columns, any JSON into json text for json columns; everything else goes
/// to the server as sent, which checks it against the column's type.
enum RESTValues {
    /// Keys that describe a row but are not columns (`_url`, `_backrefs`, ref names) are
    /// ignored; other names must be exported columns.
    static func columns(_ fields: OrderedDictionary<String, Value>, of table: SQLExportedTable)
        throws(RESTProblem) -> OrderedDictionary<String, Value>
    {
        var out = OrderedDictionary<String, Value>()
        let refNames = Set(table.refs.map(\.name))
        for (name, value) in fields {
            if name == "_url" || name == "_backrefs" || refNames.contains(name) { continue }
            guard let column = table.fields.first(where: { $0.name == name }) else {
                throw RESTProblem(400, "table '\(table.name)' has no column '\(BrokerError.excerpt(name))'")
            }
            out[name] = try convert(value, column, table: table.name)
        }
        return out
    }

    static func convert(_ value: Value, _ column: ColumnDescription, table: String) throws(RESTProblem) -> Value {
        if value.isNull { return .null }
        switch column.kind {
        case .bytes?:
            guard case .string(let text) = value else { return value }
            let decoded = Array(text.utf8).withUnsafeBufferPointer { Base64.decode($0) }
            guard let decoded else {
                throw RESTProblem(
                    422, "column '\(column.name)' of '\(table)' expects base64 text", kind: "InvalidValue")
            }
            return .bytes(decoded)
        case .json?:
            return .json(String(decoding: RESTJSON.render(value), as: UTF8.self))
        default:
            // The body is read with the wire codec, which knows refs and objects; on this face
            // a value is plain JSON. The server takes a ref here as the client's proof that it
            // may point at that row, and this face asks no access codes of what it sends.
            guard !holdsRefs(value) else {
                throw RESTProblem(
                    422, "column '\(column.name)' of '\(table)' takes a plain JSON value", kind: "InvalidValue")
            }
            return value
        }
    }

    /// Whether `value` is or contains a ref, an object or an info.
    private static func holdsRefs(_ value: Value) -> Bool {
        switch value {
        case .ref, .object, .info: return true
        case .list(let items): return items.contains(where: holdsRefs)
        case .dict(let d): return d.values.contains(where: holdsRefs)
        default: return false
        }
    }
}
