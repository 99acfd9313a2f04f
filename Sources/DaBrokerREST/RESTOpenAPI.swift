import DaBrokerSQL
import DaBrokerServer
import Foundation
import OpenAPIKit

/// The OpenAPI 3.1 document of the REST face, made from the exported tables with OpenAPIKit:
/// one schema per table (nullable, read-only and enum fields), the paths with their path and
/// query parameters, and the problem responses.
enum RESTOpenAPI {
    static func document(_ tables: [SQLExportedTable], prefix: String) -> OpenAPI.Document {
        var schemas = OpenAPI.ComponentDictionary<JSONSchema>()
        var paths = OpenAPI.PathItem.Map()
        schemas["Problem"] = problemSchema
        for table in tables {
            let key = componentName(table.name)
            schemas[OpenAPI.ComponentKey(stringLiteral: key)] = rowSchema(table)
            let row = JSONSchema.reference(.component(named: key))
            let rowOrRows = JSONSchema.one(of: [row, JSONSchema.array(items: row)])
            let tag = [table.name]
            var list = OpenAPI.PathItem(
                get: OpenAPI.Operation(
                    tags: tag, summary: "rows of \(table.name)", operationId: "list_\(key)",
                    parameters: listParameters(table),
                    responses: responses([200: response("a page of rows", .array(items: row))])))
            var item = OpenAPI.PathItem(
                parameters: table.keyColumns.map { column in
                    .b(.path(name: column, schema: keySchema(table, column)))
                },
                get: OpenAPI.Operation(
                    tags: tag, summary: "one row of \(table.name)", operationId: "get_\(key)",
                    responses: responses([200: response("the row", row, etag: true)])))
            if table.mode.canWrite {
                list.post = OpenAPI.Operation(
                    tags: tag, summary: "create rows of \(table.name)", operationId: "create_\(key)",
                    requestBody: OpenAPI.Request(content: content(rowOrRows), required: true),
                    responses: responses([201: response("the created row(s)", rowOrRows)]))
                let ifMatch = Either<OpenAPI.Reference<OpenAPI.Parameter>, OpenAPI.Parameter>.b(
                    .header(name: "If-Match", required: false, schema: .string))
                item.patch = OpenAPI.Operation(
                    tags: tag, summary: "change a row of \(table.name)", operationId: "update_\(key)",
                    parameters: [ifMatch],
                    requestBody: OpenAPI.Request(content: content(row), required: true),
                    responses: responses([200: response("the changed row", row, etag: true)]))
                item.delete = OpenAPI.Operation(
                    tags: tag, summary: "delete a row of \(table.name)", operationId: "delete_\(key)",
                    parameters: [ifMatch], responses: responses([204: .b(OpenAPI.Response(description: "deleted"))]))
            }
            let base = prefix + "/" + table.name
            paths[OpenAPI.Path(stringLiteral: base)] = .b(list)
            if table.hasPrimaryKey {
                let itemPath = base + table.keyColumns.map { "/{\($0)}" }.joined()
                paths[OpenAPI.Path(stringLiteral: itemPath)] = .b(item)
            }
        }
        return OpenAPI.Document(
            openAPIVersion: .v3_1_1,
            info: .init(
                title: "DaBroker REST",
                description: "The exported tables of a DaBroker gateway as plain JSON (see docs/rest.md).",
                version: "1"),
            servers: [], paths: paths, components: .init(schemas: schemas))
    }

    /// The document as JSON bytes.
    static func json(_ tables: [SQLExportedTable], prefix: String) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(document(tables, prefix: prefix)))) ?? Array("{}".utf8)
    }

    /// A component name for a table (`[A-Za-z0-9._-]`, other characters as `_`).
    static func componentName(_ table: String) -> String {
        String(table.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
    }

    static func rowSchema(_ table: SQLExportedTable) -> JSONSchema {
        var properties = OrderedDictionary<String, JSONSchema>()
        for column in table.fields {
            properties[column.name] = columnSchema(
                column, readOnly: !(table.mode.canWrite && column.isWritable), required: true)
        }
        for ref in table.refs where properties[ref.name] == nil {
            properties[ref.name] = .string(required: false, nullable: true, permissions: .readOnly)
        }
        if table.hasPrimaryKey {
            properties["_url"] = .string(required: false, permissions: .readOnly)
            if !table.backrefs.isEmpty {
                var links = OrderedDictionary<String, JSONSchema>()
                for b in table.backrefs { links[b.name] = .string(required: false) }
                properties["_backrefs"] = .object(required: false, permissions: .readOnly, properties: links)
            }
        }
        return .object(title: table.name, properties: properties)
    }

    /// The JSON schema of a column's values (decimals as strings, times as text, bytes base64).
    static func columnSchema(_ c: ColumnDescription, readOnly: Bool, required: Bool) -> JSONSchema {
        let p: JSONSchema.Permissions? = readOnly ? .readOnly : nil
        let n = c.isNullable
        switch c.kind {
        case .int?: return .integer(required: required, nullable: n, permissions: p)
        case .double?: return .number(required: required, nullable: n, permissions: p)
        case .bool?: return .boolean(required: required, nullable: n, permissions: p)
        case .string?:
            if let labels = c.enumValues, !labels.isEmpty {
                return .string(
                    required: required, nullable: n, permissions: p,
                    allowedValues: labels.map { AnyCodable($0) } + (n ? [AnyCodable(Optional<String>.none)] : []))
            }
            return .string(required: required, nullable: n, permissions: p)
        case .decimal?:
            return .string(required: required, nullable: n, permissions: p, description: "exact decimal as text")
        case .bytes?: return .string(required: required, nullable: n, permissions: p, contentEncoding: .base64)
        case .date?: return .string(format: .date, required: required, nullable: n, permissions: p)
        case .timestamp?:
            return .string(required: required, nullable: n, permissions: p, description: "RFC 3339 date-time")
        case .time?, .interval?, .uuid?: return .string(required: required, nullable: n, permissions: p)
        case .list?: return .array(required: required, nullable: n, permissions: p)
        case .json?, nil: return .fragment(required: required, nullable: n, permissions: p)
        }
    }

    static func keySchema(_ table: SQLExportedTable, _ column: String) -> JSONSchema {
        guard let c = table.fields.first(where: { $0.name == column }) else { return .string }
        switch c.kind {
        case .int?: return .integer
        default: return .string
        }
    }

    static func listParameters(_ table: SQLExportedTable) -> OpenAPI.Parameter.Array {
        var out: OpenAPI.Parameter.Array = [
            .b(.query(name: "limit", schema: .integer(minimum: (0, exclusive: false)))),
            .b(.query(name: "order", schema: .string, description: "columns, comma-separated; -column descending")),
            .b(.query(name: "after", schema: .string, description: "the cursor of the next page (Link header)")),
            .b(.query(name: "count", schema: .string(allowedValues: "exact", "estimated"))),
        ]
        for c in table.fields {
            out.append(.b(.query(name: c.name, schema: .string, description: "filter: op.value, e.g. eq.1")))
        }
        return out
    }

    static func response(_ description: String, _ schema: JSONSchema, etag: Bool = false)
        -> Either<OpenAPI.Reference<OpenAPI.Response>, OpenAPI.Response>
    {
        var headers: OpenAPI.Header.Map?
        if etag { headers = ["ETag": .b(OpenAPI.Header(schema: .string))] }
        return .b(OpenAPI.Response(description: description, headers: headers, content: content(schema)))
    }

    /// The operation's own responses plus the problem answer for every other status.
    static func responses(_ own: OpenAPI.Response.Map) -> OpenAPI.Response.Map {
        var out = own
        let problem = OpenAPI.Content(schema: JSONSchema.reference(.component(named: "Problem")), encoding: nil)
        out[.default] = .b(OpenAPI.Response(description: "an RFC 9457 problem", content: [problemType: .b(problem)]))
        return out
    }

    static func content(_ schema: JSONSchema) -> OpenAPI.Content.Map {
        [.json: .b(OpenAPI.Content(schema: schema, encoding: nil))]
    }

    static let problemType = OpenAPI.ContentType(rawValue: "application/problem+json") ?? .json

    static let problemSchema = JSONSchema.object(
        properties: [
            "type": .string, "title": .string, "status": .integer, "detail": .string,
            "dabroker_error": .string(required: false),
        ])
}
