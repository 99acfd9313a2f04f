import DaBrokerCore

/// One page of a query or back-reference: its objects and the cursor of the next page
/// (nil on the last). The cursor is opaque and signed by the server; it is only valid for
/// the query that produced it.
public struct QueryPage: Sendable {
    public let rows: [ClientObject]
    public let next: String?

    init(_ reply: Value, objects: [ClientObject], method: String) throws {
        guard case .dict(let d) = reply, case .list = d["rows"] else {
            throw BrokerError.internal("\(method): the reply is not a page")
        }
        rows = objects
        if case .string(let s)? = d["next"] { next = s } else { next = nil }
    }
}

/// The pages of a query, fetched one request at a time as you iterate.
public struct QueryPageSequence: AsyncSequence, Sendable {
    public typealias Element = QueryPage
    public typealias Failure = any Error

    let fetch: @Sendable (String?) async throws -> QueryPage

    public func makeAsyncIterator() -> Iterator { Iterator(fetch: fetch) }

    public struct Iterator: AsyncIteratorProtocol {
        let fetch: @Sendable (String?) async throws -> QueryPage
        var cursor: String?
        var done = false

        public nonisolated(nonsending) mutating func next() async throws -> QueryPage? {
            guard !done else { return nil }
            let page = try await fetch(cursor)
            cursor = page.next
            done = page.next == nil
            return page
        }
    }
}

/// The objects of a query, fetched a page at a time as you iterate.
public struct QueryRowSequence: AsyncSequence, Sendable {
    public typealias Element = ClientObject
    public typealias Failure = any Error

    let pages: QueryPageSequence

    public func makeAsyncIterator() -> Iterator { Iterator(pages: pages.makeAsyncIterator()) }

    public struct Iterator: AsyncIteratorProtocol {
        var pages: QueryPageSequence.Iterator
        var buffer: [ClientObject] = []
        var position = 0

        public nonisolated(nonsending) mutating func next() async throws -> ClientObject? {
            while position == buffer.count {
                guard let page = try await pages.next() else { return nil }
                buffer = page.rows
                position = 0
            }
            defer { position += 1 }
            return buffer[position]
        }
    }
}
