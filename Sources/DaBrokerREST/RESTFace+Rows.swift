import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import OrderedCollections

extension RESTFace {
    var rows: RESTRows { RESTRows(prefix: prefix) }

    /// `GET {prefix}/{table}`: a page of rows as a JSON array; `Link: <…>; rel="next"` when
    /// more follow; `X-Total-Count` with `count=`.
    func list(_ table: SQLExportedTable, query: String) async throws(RESTProblem) -> RESTResponse {
        let q = try RESTQuery(query, table: table)
        let limit = q.limit ?? configuration.defaultLimit
        var named = q.named
        named["_limit"] = .int(Int64(limit))
        var found: [ObjectValue] = []
        var next: String?
        if limit == 0 {
            guard q.after == nil else { throw RESTProblem(400, "after needs a limit of at least 1") }
        } else {
            if let after = q.after { named["_after"] = .string(after) }
            (found, next) = try await broker.page(table.name, named)
        }
        var response = RESTResponse(
            status: 200, json: RESTJSON.render(.list(found.map { rows.json(table, $0) })))
        if let next {
            var items = q.kept.map { "\(RESTRows.segment($0.0))=\(RESTRows.segment($0.1))" }
            items.append("limit=\(limit)")
            items.append("after=\(RESTRows.segment(next))")
            let url = prefix + "/" + RESTRows.segment(table.name) + "?" + items.joined(separator: "&")
            response.headers.append(("Link", "<\(url)>; rel=\"next\""))
        }
        if let count = q.count {
            var countArgs = q.equal
            if !q.conditions.isEmpty { countArgs["_where"] = .list(q.conditions) }
            if count == "estimated" { countArgs["_estimate"] = true }
            let n = try await broker.count(table.name, countArgs)
            switch n {
            case .int(let total): response.headers.append(("X-Total-Count", String(total)))
            case .dict(let d):
                if case .int(let total)? = d["count"] { response.headers.append(("X-Total-Count", String(total))) }
                if case .bool(let estimated)? = d["estimated"] {
                    response.headers.append(("X-Count-Estimated", estimated ? "true" : "false"))
                }
            default: break
            }
        }
        return response
    }

    /// The row at `key` (404 when there is none).
    func fetch(_ table: SQLExportedTable, _ key: [String]) async throws(RESTProblem) -> ObjectValue {
        var named = OrderedDictionary<String, Value>()
        for (column, text) in zip(table.keyColumns, key) { named[column] = .string(text) }
        named["_limit"] = 2
        let found: [ObjectValue]
        do {
            found = try await broker.search(table.name, named)
        } catch  where error.status == 400 || error.status == 422 {
            throw RESTProblem(404, "no row of '\(table.name)' with this key", kind: "NoData")
        }
        guard found.count == 1, let row = found.first else {
            throw RESTProblem(404, "no row of '\(table.name)' with this key", kind: "NoData")
        }
        return row
    }

    func rowResponse(_ table: SQLExportedTable, _ row: ObjectValue, status: Int) -> RESTResponse {
        var response = RESTResponse(status: status, json: RESTJSON.render(rows.json(table, row)))
        response.headers.append(("ETag", RESTRows.etag(row)))
        if status == 201, table.hasPrimaryKey {
            response.headers.append(
                ("Location", rows.url(table.name, table.keyColumns.map { row.fields[$0] ?? .null })))
        }
        return response
    }

    /// `POST {prefix}/{table}`: one object (201 with the row, `Location` and `ETag`) or an
    /// array of objects (201 with the rows).
    func create(_ table: SQLExportedTable, body: Value) async throws(RESTProblem) -> RESTResponse {
        switch body {
        case .dict(let fields):
            let row = try await insert(table, fields)
            return rowResponse(table, row, status: 201)
        case .list(let items):
            var batch: [Value] = []
            for (n, item) in items.enumerated() {
                guard case .dict(let fields) = item else {
                    throw RESTProblem(400, "row \(n) of the array is not a JSON object")
                }
                do {
                    batch.append(.dict(try RESTValues.columns(fields, of: table)))
                } catch {
                    var p = error
                    p.detail = "row \(n): " + p.detail
                    throw p
                }
            }
            guard !batch.isEmpty else { return RESTResponse(status: 201, json: Array("[]".utf8)) }
            // One transaction: all rows or none (the error names the failing row's index).
            let data = try await broker.call(
                Request(
                    method: Method.new, target: broker.tableRef(table.name), named: ["_rows": .list(batch)],
                    classLevel: true))
            guard case .list(let created) = data else { throw RESTProblem(500, "the server did not answer rows") }
            let out: [Value] = created.compactMap {
                guard case .object(let row) = $0 else { return nil }
                return rows.json(table, row)
            }
            return RESTResponse(status: 201, json: RESTJSON.render(.list(out)))
        default:
            throw RESTProblem(400, "the body must be a JSON object or an array of objects")
        }
    }

    private func insert(_ table: SQLExportedTable, _ fields: OrderedDictionary<String, Value>)
        async throws(RESTProblem) -> ObjectValue
    {
        let named = try RESTValues.columns(fields, of: table)
        let data = try await broker.call(
            Request(method: Method.new, target: broker.tableRef(table.name), named: named, classLevel: true))
        guard case .object(let row) = data else { throw RESTProblem(500, "the server did not answer a row") }
        return row
    }

    /// `PATCH {prefix}/{table}/{key}`: changes the given columns when `If-Match` names the
    /// row's current ETag (412 otherwise; 428 when missing and required).
    func patch(_ table: SQLExportedTable, _ key: [String], body: Value, ifMatch: String?)
        async throws(RESTProblem) -> RESTResponse
    {
        guard case .dict(let fields) = body else { throw RESTProblem(400, "the body must be a JSON object") }
        let row = try await fetch(table, key)
        try check(ifMatch, row)
        let values = try RESTValues.columns(fields, of: table)
        guard !values.isEmpty else { return rowResponse(table, row, status: 200) }
        var changes = OrderedDictionary<String, Value>()
        for (name, new) in values {
            changes[name] = [row.fields[name] ?? .null, new]
        }
        let data = try await broker.call(
            Request(method: Method.update, args: [.ref(row.ref)], named: ["k": .dict(changes)]))
        guard case .object(let updated) = data else { throw RESTProblem(500, "the server did not answer a row") }
        return rowResponse(table, updated, status: 200)
    }

    /// `DELETE {prefix}/{table}/{key}`: 204, with the same `If-Match` rule as `PATCH`.
    func delete(_ table: SQLExportedTable, _ key: [String], ifMatch: String?) async throws(RESTProblem)
        -> RESTResponse
    {
        let row = try await fetch(table, key)
        try check(ifMatch, row)
        _ = try await broker.call(
            Request(method: Method.delete, target: broker.tableRef(table.name), args: [.ref(row.ref)], classLevel: true)
        )
        return RESTResponse(status: 204)
    }

    private func check(_ ifMatch: String?, _ row: ObjectValue) throws(RESTProblem) {
        guard let ifMatch else {
            guard !configuration.requireIfMatch else {
                throw RESTProblem(428, "send If-Match with the row's ETag (GET the row first)")
            }
            return
        }
        let tags = ifMatch.split(separator: ",").map { tag -> String in
            let t = tag.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("W/") ? String(t.dropFirst(2)) : t
        }
        guard tags.contains("*") || tags.contains(RESTRows.etag(row)) else {
            throw RESTProblem(412, "the row changed since its ETag was read; GET it again", kind: "StaleData")
        }
    }
}
