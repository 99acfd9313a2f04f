import DaBrokerCore

/// What a call runs on: a served object, a class (an info object), or an object known by key.
public enum CallTarget: Sendable {
    case object(any BrokeredObject)
    case info(BrokerClass)
    case key(ObjectKey)
}

/// A method a client may call, as a closure (Swift has no runtime method lookup).
///
/// `include` is the manual's flag: the returned object itself, or each object of a returned
/// list, is sent whole; every other object in the result travels as a ref.
public struct ExportedCall: Sendable {
    public typealias Body = @Sendable (_ target: CallTarget, _ args: CallArguments) async throws -> BrokerValue

    /// How the call is listed in the info (`_C`: name, cached, meta).
    public var callable: Callable
    public var include: Bool
    public var body: Body

    public init(_ callable: Callable, include: Bool = false, body: @escaping Body) {
        self.callable = callable
        self.include = include
        self.body = body
    }

    /// An instance method of objects of type `T`: the closure receives the object itself.
    public static func method<T: BrokeredObject>(
        _ name: String, of type: T.Type, include: Bool = false, cached: Bool = false,
        _ body: @escaping @Sendable (T, CallArguments) async throws -> BrokerValue
    ) -> ExportedCall {
        ExportedCall(Callable(name, cached: cached), include: include) { target, args in
            guard case .object(let o) = target, let typed = o as? T else {
                throw BrokerError.internal("\(name) called on an object that is not a \(T.self)")
            }
            return try await body(typed, args)
        }
    }

    /// A method that does not need its target (the target was still checked and allowed).
    public static func function(
        _ name: String, include: Bool = false, cached: Bool = false, meta: Bool = false,
        _ body: @escaping @Sendable (CallArguments) async throws -> BrokerValue
    ) -> ExportedCall {
        ExportedCall(Callable(name, cached: cached, meta: meta), include: include) { _, args in
            try await body(args)
        }
    }
}
