import DaBrokerCore

/// The objects of a one-to-many back-reference, fetched lazily as you iterate:
///
/// ```swift
/// for try await track in album.tracks.objects {
///     print(try track.name.value)
/// }
/// let n = try await album.tracks.objects.count()
/// ```
///
/// Iteration fetches a page at a time (`backref_page`: one keyset query per page on the
/// server, however long the back-reference), interning each object in the cache.
public struct BackrefSequence: AsyncSequence, Sendable {
    public typealias Element = ClientObject
    public typealias Failure = any Error

    /// The object whose back-reference this is.
    public let owner: ClientObject
    /// The back-reference's name.
    public let name: String

    /// How many objects the back-reference holds now (`backref_len`).
    public nonisolated(nonsending) func count() async throws -> Int {
        let client = try owner.requireClient()
        let reply = try await client.call(Method.backrefCount, arguments: [.ref(owner.ref), .string(name)])
        guard case .int(let n) = reply else {
            throw BrokerError.internal("backref_len for '\(name)' of \(owner.key) returned \(reply), not an int")
        }
        return Int(n)
    }

    /// The object at `index` (`backref_idx`), in primary key order.
    public nonisolated(nonsending) func object(at index: Int) async throws -> ClientObject {
        let client = try owner.requireClient()
        let reply = try await client.call(
            Method.backrefObject, arguments: [.ref(owner.ref), .string(name), .int(Int64(index))])
        guard let object = try await client.object(from: reply) else {
            throw BrokerError.noData("no object at index \(index) of '\(name)' of \(owner.key)")
        }
        return object
    }

    /// One page of the back-reference (`backref_page`), in primary key order, after `cursor`.
    public nonisolated(nonsending) func page(after cursor: String? = nil, size: Int? = nil) async throws -> QueryPage {
        let client = try owner.requireClient()
        var named: [String: Value] = [:]
        if let size { named["_limit"] = .int(Int64(size)) }
        if let cursor { named["_after"] = .string(cursor) }
        let (data, epoch) = try await client.send(
            ClientWire.request(Method.backrefPage, target: owner.ref, arguments: [.string(name)], named: named))
        return try QueryPage(data, objects: client.register(data, since: epoch), method: Method.backrefPage)
    }

    public func makeAsyncIterator() -> Iterator { Iterator(sequence: self) }

    /// Walks the back-reference a page at a time (`backref_page`: one query per page). A
    /// server without `backref_page` (the original DaBroker) is walked by index instead
    /// (`backref_len`, then one `backref_idx` per object).
    public struct Iterator: AsyncIteratorProtocol {
        let sequence: BackrefSequence
        var buffer: [ClientObject] = []
        var position = 0
        var cursor: String?
        var lastPage = false
        /// Set when the server has no `backref_page`: the length, for the walk by index.
        var length: Int?
        var index = 0

        public nonisolated(nonsending) mutating func next() async throws -> ClientObject? {
            if let length {
                guard index < length else { return nil }
                defer { index += 1 }
                return try await sequence.object(at: index)
            }
            while position == buffer.count {
                if lastPage { return nil }
                let page: QueryPage
                do {
                    page = try await sequence.page(after: cursor)
                } catch let e as BrokerError where e.kind == .unknownCommand && cursor == nil {
                    length = try await sequence.count()
                    return try await next()
                }
                buffer = page.rows
                position = 0
                cursor = page.next
                lastPage = page.next == nil
            }
            defer { position += 1 }
            return buffer[position]
        }
    }
}
