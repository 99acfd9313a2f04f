import DaBrokerCore

/// One member of a ``ClientObject``, as `obj.someName` gives it: a field, a ref, a
/// back-reference or a callable method.
///
/// Which one it is follows from the object and its info; use the accessor that fits:
///
/// ```swift
/// let health = try await root.status.health.value         // a field of a ref'd object
/// let status = try await root.status.object               // a ref, resolved via the cache
/// for try await track in album.tracks.objects { … }       // a back-reference
/// let reply = try await root.login("jane", "secret")      // a method call
/// ```
///
/// Chaining (`root.status.health`) resolves the ref `status` first, so each step after the
/// first is `async`. An attribute compares equal to a `Value` when it is a field with that
/// value: `#expect(try await root.status.health == "OK")`.
@dynamicMemberLookup
public struct Attribute: Sendable, CustomStringConvertible {
    /// The object this member belongs to.
    public let owner: ClientObject
    /// The member's name.
    public let name: String

    init(owner: ClientObject, name: String) {
        self.owner = owner
        self.name = name
    }

    /// The plain value: a field's value, or for a ref `.ref(…)` (`.null` when not set).
    ///
    /// Throws `BadRequest` naming the member and object when the object has neither a field
    /// nor a ref of that name (back-references and methods have no plain value).
    public var value: Value {
        get throws {
            if let value = owner.fields[name] { return value }
            if let ref = owner.refs[name] { return ref.map(Value.ref) ?? .null }
            throw BrokerError.badRequest("object \(owner.key) has no field or ref '\(name)'")
        }
    }

    /// The object this member points to, through the cache (fetched with `get` when not
    /// cached): for a ref, or a field holding an object or ref. `nil` for a ref that is
    /// not set or a `null` field.
    public nonisolated(nonsending) var object: ClientObject? {
        get async throws {
            let value = try value
            if value.isNull { return nil }
            let client = try owner.requireClient()
            guard let object = try await client.object(from: value, since: owner.epoch) else {
                throw BrokerError.badRequest("member '\(name)' of object \(owner.key) is not an object: \(value)")
            }
            return object
        }
    }

    /// The member `name` of the object this one points to (so `root.status.health` reads
    /// `health` of the object behind the ref `status`). Throws `NoData` if the ref is not set.
    public nonisolated(nonsending) subscript(dynamicMember member: String) -> Attribute {
        get async throws {
            guard let target = try await object else {
                throw BrokerError.noData("ref '\(name)' of object \(owner.key) is not set")
            }
            return Attribute(owner: target, name: member)
        }
    }

    /// The objects of a back-reference (one-to-many), fetched a page at a time with
    /// `backref_page` as the sequence is iterated.
    public var objects: BackrefSequence { BackrefSequence(owner: owner, name: name) }

    /// Calls this member as a method on the server with positional arguments:
    /// `try await root.login("jane", "secret")`.
    @discardableResult
    public nonisolated(nonsending) func callAsFunction(_ arguments: Value...) async throws -> Value {
        try await call(arguments, named: [:])
    }

    /// Calls this member as a method on the server with positional and named arguments.
    ///
    /// The result of a method that the object's info marks `cached` comes from the cache
    /// until the object or its table is invalidated. Objects in the result are sent whole
    /// and registered in the cache; turn one into a ``ClientObject`` with
    /// ``BrokerClient/object(from:)``.
    @discardableResult
    public nonisolated(nonsending) func call(_ arguments: [Value], named: [String: Value] = [:]) async throws -> Value {
        let client = try owner.requireClient()
        return try await client.call(name, on: owner, arguments: arguments, named: named)
    }

    /// Whether `lhs` is a field (or ref) whose value is `rhs`.
    public static func == (lhs: Attribute, rhs: Value) -> Bool { (try? lhs.value) == rhs }

    /// Whether `lhs` is not a field (or ref) whose value is `rhs`.
    public static func != (lhs: Attribute, rhs: Value) -> Bool { !(lhs == rhs) }

    public var description: String {
        if let value = try? value { return "\(owner.key).\(name) = \(value)" }
        return "\(owner.key).\(name)"
    }
}
