import DaBrokerCore
import OrderedCollections
import Synchronization

/// A brokered object as a client sees it: an immutable snapshot of its fields and refs,
/// read with Swift member syntax.
///
/// Every member goes through `@dynamicMemberLookup` and gives an ``Attribute``: a field's
/// value, a ref resolved through the client's cache, a back-reference as an async sequence,
/// or a method to call on the server:
///
/// ```swift
/// let root = try await client.root
/// let health = try await root.status.health.value      // "OK"
/// let status = try await root.status.object            // the ClientObject behind the ref
/// let answer = try await root.login("jane", "secret")   // calls `login` on the server
/// ```
///
/// Objects are not updated in place. When the server says the object changed, the client
/// marks it obsolete (``isObsolete``) and evicts it; reading it again through a ref, or
/// ``refresh()``, fetches the new state. Members that clash with this type's own API
/// (`ref`, `key`, `fields`, …) are reachable with the string subscript: `obj["key"]`.
@dynamicMemberLookup
public final class ClientObject: Sendable, CustomStringConvertible {
    /// The object's reference: its key and access code.
    public let ref: Ref
    /// The plain data fields, as the server sent them (for an info object: `name` and
    /// `_dab_cached`).
    public let fields: OrderedDictionary<String, Value>
    /// The many-to-one references by name, `nil` when not set; `_meta` is the info object
    /// describing this one.
    public let refs: OrderedDictionary<String, Ref?>
    /// The description, when this object is itself an info object (a table, a class).
    public let info: BrokeredInfo?
    /// The client that fetched this object; weak, so objects never keep a client alive.
    weak let client: BrokerClient?
    /// The client's cache epoch when the request that brought this object was sent; objects
    /// nested in its fields are as fresh as it is.
    let epoch: UInt64
    private let obsolete = Atomic<Bool>(false)

    init(_ value: ObjectValue, client: BrokerClient?, epoch: UInt64) {
        self.epoch = epoch
        ref = value.ref
        fields = value.fields
        refs = value.refs
        info = nil
        self.client = client
    }

    init(_ value: InfoValue, client: BrokerClient?, epoch: UInt64) {
        self.epoch = epoch
        ref = value.ref
        fields = ["name": .string(value.info.name), "_dab_cached": value.info.cached]
        refs = ["_meta": value.meta]
        info = value.info
        self.client = client
    }

    /// The object's key.
    public var key: ObjectKey { ref.key }

    /// The ref of the info object that describes this one.
    public var metaRef: Ref? { refs["_meta"] ?? nil }

    /// Whether the server has said that this snapshot is out of date (or the client dropped
    /// its cache, so it may be). Read it again through its ref or with ``refresh()``.
    public var isObsolete: Bool { obsolete.load(ordering: .acquiring) }

    func markObsolete() { obsolete.store(true, ordering: .releasing) }

    /// The member `name`: a field, a ref, a back-reference or a method.
    public subscript(dynamicMember name: String) -> Attribute { Attribute(owner: self, name: name) }

    /// The member `name`, for names that clash with this type's own properties.
    public subscript(_ name: String) -> Attribute { Attribute(owner: self, name: name) }

    /// The info object that describes this object (its class or table), through the cache.
    public nonisolated(nonsending) func meta() async throws -> ClientObject {
        guard let metaRef else { throw BrokerError.badRequest("object \(key) has no _meta") }
        return try await requireClient().get(metaRef)
    }

    /// The current state of this object: the cached copy if it is still valid, else a fresh
    /// one from the server. Use it after ``isObsolete`` turned true.
    public nonisolated(nonsending) func refresh() async throws -> ClientObject {
        try await requireClient().get(ref)
    }

    func requireClient() throws -> BrokerClient {
        guard let client else {
            throw BrokerError.unavailable("the client that fetched object \(key) is gone")
        }
        return client
    }

    func hasSameContent(as other: ClientObject) -> Bool {
        ref == other.ref && fields == other.fields && refs == other.refs && info == other.info
    }

    public var description: String {
        let shown = fields.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        return "ClientObject\(key)[\(shown)]\(isObsolete ? " (obsolete)" : "")"
    }
}
