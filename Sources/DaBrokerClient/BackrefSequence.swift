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
/// The length is asked once (`backref_len`) when iteration starts; each element is then one
/// `backref_idx` request (one bounded query on the server), interned in the cache.
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

    public func makeAsyncIterator() -> Iterator { Iterator(sequence: self) }

    /// Walks the back-reference by index.
    public struct Iterator: AsyncIteratorProtocol {
        let sequence: BackrefSequence
        var length: Int?
        var index = 0

        public nonisolated(nonsending) mutating func next() async throws -> ClientObject? {
            if length == nil { length = try await sequence.count() }
            guard let length, index < length else { return nil }
            defer { index += 1 }
            return try await sequence.object(at: index)
        }
    }
}
