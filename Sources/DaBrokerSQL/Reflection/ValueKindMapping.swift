import DaBrokerCore
import Foundation

/// Declared column type → `ValueKind`, one function per dialect, kept in agreement with the
/// drivers' `docs/types.md`. `nil` means the driver has no mapping: reflection leaves such a
/// column out of the fields and raises a notice.
public enum ValueKindMapping {
    /// PostgreSQL: `typeName` is `pg_type.typname` of the column's type, with domains already
    /// resolved to their base type (up to three nested domains); `typeType` is `pg_type.typtype` (`b` base, `e` enum,
    /// `c` composite, `r` range, …); `elementTypeName` and `elementTypeType` are set for
    /// array types.
    public static func postgres(
        typeName: String, typeType: String, elementTypeName: String? = nil, elementTypeType: String = "b"
    ) -> ValueKind? {
        if let element = elementTypeName {
            // An array maps when its element type maps (enum elements are strings).
            return postgres(typeName: element, typeType: elementTypeType) == nil ? nil : .list
        }
        if typeType == "e" { return .string }
        if typeType != "b" { return nil }  // composite, range, pseudo, domains nested deeper
        switch typeName {
        case "bool": return .bool
        case "int2", "int4", "int8", "oid": return .int
        case "float4", "float8": return .double
        case "numeric": return .decimal
        case "text", "varchar", "bpchar", "char", "name", "unknown": return .string
        case "bytea": return .bytes
        case "date": return .date
        case "time", "timetz": return .time
        case "timestamp", "timestamptz": return .timestamp
        case "interval": return .interval
        case "uuid": return .uuid
        case "json", "jsonb": return .json
        default: return nil
        }
    }

    /// MariaDB / MySQL: `dataType` is `information_schema.COLUMNS.DATA_TYPE`, `columnType`
    /// the full `COLUMN_TYPE` (`tinyint(1)`, `bigint(20) unsigned`). MariaDB's `JSON` alias is a
    /// `longtext` here; the reflector turns it into `.json` when a `json_valid` check guards it.
    public static func mysql(dataType: String, columnType: String) -> ValueKind? {
        switch dataType.lowercased() {
        case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year", "bit": return .int
        case "float", "double", "real": return .double
        case "decimal", "numeric": return .decimal
        case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "inet4", "inet6":
            return .string
        case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob": return .bytes
        case "date": return .date
        case "time": return .time
        case "datetime", "timestamp": return .timestamp
        case "json": return .json
        case "uuid": return .uuid
        default: return nil
        }
    }

    /// SQLite: the declared type, refined like the SQLite driver does (`BOOL`, `DATETIME` /
    /// `TIMESTAMP`, `DATE`, `TIME`, `DECIMAL` / `NUMERIC`, `UUID`, `JSON`, tested in that order
    /// as substrings), else classified by SQLite's type affinity rules (§3.1 of "Datatypes In
    /// SQLite"): `INT` → int, `CHAR`/`CLOB`/`TEXT` → string, `BLOB` → bytes, `REAL`/`FLOA`/`DOUB`
    /// → double. A column without declared type, or with another name (NUMERIC affinity, e.g.
    /// `GEOMETRY`), holds values of any storage class: it has no fixed kind and is unmapped.
    public static func sqlite(declaredType: String) -> ValueKind? {
        let t = declaredType.uppercased()
        if t.contains("BOOL") { return .bool }
        if t.contains("DATETIME") || t.contains("TIMESTAMP") { return .timestamp }
        if t.contains("DATE") { return .date }
        if t.contains("TIME") { return .time }
        if t.contains("DECIMAL") || t.contains("NUMERIC") { return .decimal }
        if t.contains("UUID") { return .uuid }
        if t.contains("JSON") { return .json }
        if t.contains("INT") { return .int }
        if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") { return .string }
        if t.contains("BLOB") { return .bytes }
        if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") { return .double }
        return nil
    }
}
