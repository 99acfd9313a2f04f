import DaBrokerCore
import OrderedCollections

/// A query on a model, built like prose and run when you ask for its results:
///
/// ```swift
/// let people = try await client.model("person")
/// let born = Column("born")
/// let recent = try await people.filter(born > "1900-01-01").order(born.desc).limit(20).fetchAll()
/// let n = try await people.filter(Column("name").hasPrefix("Ad")).fetchCount()
/// for try await page in people.order(Column("name")).pages(size: 100) { … }   // keyset pages
/// for try await person in people.filter(born.isNull).rows() { … }           // row by row
/// ```
///
/// Each step returns a new query (the value is never changed in place). `fetchAll` is one
/// `_dab_search` (cached like `find`), `fetchCount` one `_dab_count`, a page one `_dab_page`:
/// keyset pagination behind a signed cursor, so page 1,000 costs what page 1 does and rows
/// inserted meanwhile are neither repeated nor make others skipped.
public struct ModelQuery: Sendable {
    /// The model queried.
    public let model: ModelHandle
    var predicate: QueryPredicate?
    var equality: [String: Value] = [:]
    var ordering: [QueryOrdering] = []
    var limitCount: Int?

    init(model: ModelHandle) { self.model = model }

    /// The query with `predicate` added (ANDed with the conditions so far).
    public func filter(_ predicate: QueryPredicate) -> ModelQuery {
        var q = self
        q.predicate = q.predicate.map { $0 && predicate } ?? predicate
        return q
    }

    /// The query with equality filters added (`name = value`, as ``ModelHandle/find(_:limit:)``).
    public func filter(_ equal: [String: Value]) -> ModelQuery {
        var q = self
        q.equality.merge(equal) { _, new in new }
        return q
    }

    /// The query ordered by these terms (replacing any earlier order); the key breaks ties.
    public func order(_ terms: QueryOrdering...) -> ModelQuery { order(terms) }

    /// The query ordered by these terms (replacing any earlier order); the key breaks ties.
    public func order(_ terms: [QueryOrdering]) -> ModelQuery {
        var q = self
        q.ordering = terms
        return q
    }

    /// The query ordered by these columns, ascending.
    public func order(_ columns: Column...) -> ModelQuery {
        var q = self
        q.ordering = columns.map(\.asc)
        return q
    }

    /// At most `n` rows (the server caps it by its maximum).
    public func limit(_ n: Int) -> ModelQuery {
        var q = self
        q.limitCount = n
        return q
    }

    /// The named arguments of the query (`_where`, `_order`, filters; `_limit` when set).
    /// An equality filter named with a leading `_` (reserved for the protocol) is refused.
    var named: [String: Value] {
        get throws {
            if let reserved = equality.keys.sorted().first(where: { $0.hasPrefix("_") }) {
                throw BrokerError.badRequest(
                    "filter '\(reserved)' is not a column name (names starting with _ are reserved)")
            }
            return arguments
        }
    }

    private var arguments: [String: Value] {
        var out = equality
        if let predicate { out["_where"] = .list(predicate.whereList) }
        if !ordering.isEmpty { out["_order"] = .list(ordering.map { .string($0.wire) }) }
        if let limitCount { out["_limit"] = .int(Int64(limitCount)) }
        return out
    }

    /// The matching objects in order, up to the limit (one `_dab_search`).
    public nonisolated(nonsending) func fetchAll() async throws -> [ClientObject] {
        let client = try model.table.requireClient()
        return try await client.callThroughCache(
            Method.search, on: model.table, arguments: [], named: try named, interning: true
        ).objects
    }

    /// The first matching object in order, or nil.
    public nonisolated(nonsending) func fetchOne() async throws -> ClientObject? {
        try await limit(1).fetchAll().first
    }

    /// How many objects match (exact; the limit and order do not matter).
    public nonisolated(nonsending) func fetchCount() async throws -> Int {
        var q = self
        q.limitCount = nil
        q.ordering = []
        let value = try await model.table.requireClient().call(
            Method.count, on: model.table, arguments: [], named: try q.named)
        guard case .int(let n) = value else { throw BrokerError.internal("_dab_count on \(model.name): not an int") }
        return Int(n)
    }

    /// The row count from the database's statistics when there is no filter (PostgreSQL,
    /// MariaDB; `estimated` is then true), else the exact count.
    public nonisolated(nonsending) func estimatedCount() async throws -> (count: Int, estimated: Bool) {
        var q = self
        q.limitCount = nil
        q.ordering = []
        var args = try q.named
        args["_estimate"] = true
        let value = try await model.table.requireClient().call(
            Method.count, on: model.table, arguments: [], named: args)
        guard case .dict(let d) = value, case .int(let n)? = d["count"] else {
            throw BrokerError.internal("_dab_count on \(model.name): no count in the reply")
        }
        return (Int(n), d["estimated"] == .bool(true))
    }

    /// One page of `size` rows (or the server's page size) after `cursor` (nil: the first).
    public nonisolated(nonsending) func page(after cursor: String? = nil, size: Int? = nil) async throws -> QueryPage {
        var args = try named
        args["_limit"] = size.map { .int(Int64($0)) } ?? limitCount.map { .int(Int64($0)) }
        if let cursor { args["_after"] = .string(cursor) }
        let client = try model.table.requireClient()
        let reply = try await client.callThroughCache(
            Method.page, on: model.table, arguments: [], named: args, interning: false)
        return try QueryPage(reply.value, objects: reply.objects, method: Method.page)
    }

    /// Every page of the query, fetched as you iterate (one `_dab_page` each).
    public func pages(size: Int? = nil) -> QueryPageSequence {
        let query = self
        return QueryPageSequence { cursor in try await query.page(after: cursor, size: size) }
    }

    /// Every matching object in order, fetched a page at a time as you iterate.
    public func rows(pageSize: Int? = nil) -> QueryRowSequence { QueryRowSequence(pages: pages(size: pageSize)) }
}

extension ModelHandle {
    /// A query on this model with `predicate` (see ``ModelQuery``).
    public func filter(_ predicate: QueryPredicate) -> ModelQuery { ModelQuery(model: self).filter(predicate) }
    /// A query on this model with equality filters.
    public func filter(_ equal: [String: Value]) -> ModelQuery { ModelQuery(model: self).filter(equal) }
    /// A query on every object of this model, ordered.
    public func order(_ terms: QueryOrdering...) -> ModelQuery {
        var q = ModelQuery(model: self)
        q.ordering = terms
        return q
    }
    /// A query on every object of this model, ordered by these columns ascending.
    public func order(_ columns: Column...) -> ModelQuery {
        var q = ModelQuery(model: self)
        q.ordering = columns.map(\.asc)
        return q
    }
    /// A query on every object of this model, at most `n` of them.
    public func limit(_ n: Int) -> ModelQuery { ModelQuery(model: self).limit(n) }
    /// A query on every object of this model.
    public var all: ModelQuery { ModelQuery(model: self) }
}
