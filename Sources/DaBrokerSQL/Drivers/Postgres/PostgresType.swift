/// How a PostgreSQL type (by OID) is read from and written to the binary wire format.
///
/// Built-in types are known by OID; enums, domains and arrays of user types are resolved
/// through `pg_type` once per connection (see `PostgresCore.resolveType`).
indirect enum PostgresType: Sendable, Hashable {
    case bool, int2, int4, int8, oid, float4, float8, numeric
    /// text, varchar, bpchar, name, "char", unknown, citext-like text output.
    case text
    case bytea, date, time, timetz, timestamp, timestamptz, interval, uuid, json, jsonb
    /// An enum type: its label as a string.
    case enumLabel(name: String)
    /// `void` (functions returning nothing): NULL.
    case void
    case array(element: PostgresType)
    /// A type without a `Value` mapping, by name.
    case unmapped(name: String)

    /// The built-in type of `oid`, or `nil` when the catalog must be asked.
    static func builtin(_ oid: UInt32) -> PostgresType? {
        if let scalar = scalars[oid] { return scalar }
        if let element = arrays[oid], let scalar = scalars[element] { return .array(element: scalar) }
        return nil
    }

    private static let scalars: [UInt32: PostgresType] = [
        16: .bool, 17: .bytea, 18: .text, 19: .text, 20: .int8, 21: .int2, 23: .int4, 25: .text, 26: .oid,
        114: .json, 700: .float4, 701: .float8, 705: .text, 1042: .text, 1043: .text, 1082: .date,
        1083: .time, 1114: .timestamp, 1184: .timestamptz, 1186: .interval, 1266: .timetz, 1700: .numeric,
        2950: .uuid, 3802: .jsonb, 2278: .void,
    ]

    /// Array type OID -> element type OID, for the built-in scalars above.
    private static let arrays: [UInt32: UInt32] = [
        1000: 16, 1001: 17, 1002: 18, 1003: 19, 1016: 20, 1005: 21, 1007: 23, 1009: 25, 1028: 26, 199: 114,
        1021: 700, 1022: 701, 1014: 1042, 1015: 1043, 1182: 1082, 1183: 1083, 1115: 1114, 1185: 1184,
        1187: 1186, 1270: 1266, 1231: 1700, 2951: 2950, 3807: 3802,
    ]

    /// The SQL name, for messages.
    var name: String {
        switch self {
        case .bool: "boolean"
        case .int2: "smallint"
        case .int4: "integer"
        case .int8: "bigint"
        case .oid: "oid"
        case .float4: "real"
        case .float8: "double precision"
        case .numeric: "numeric"
        case .text: "text"
        case .bytea: "bytea"
        case .date: "date"
        case .time: "time"
        case .timetz: "timetz"
        case .timestamp: "timestamp"
        case .timestamptz: "timestamptz"
        case .interval: "interval"
        case .uuid: "uuid"
        case .json: "json"
        case .jsonb: "jsonb"
        case .enumLabel(let name): name
        case .void: "void"
        case .array(let element): element.name + "[]"
        case .unmapped(let name): name
        }
    }

    /// The first type without a mapping inside this one (itself, or an array's element).
    var unmappedPart: String? {
        switch self {
        case .unmapped(let name): name
        case .array(let element): element.unmappedPart.map { _ in name }
        default: nil
        }
    }
}
