import OrderedCollections

/// A request as it travels in a message's `data`: the method `_m`, the target ref `_o`
/// (absent for a server-level call such as `root`, `get` or `echo`), positional arguments
/// `_a`, the class-level flag `_mt` and named arguments (every other key).
///
/// ```swift
/// let request = try Request(from: message.data)   // BadRequest if malformed
/// let data = Request(method: "echo", args: ["hi"]).value
/// ```
public struct Request: Sendable, Hashable {
    /// The method name (`_m`).
    public var method: String
    /// The object the method is called on (`_o`, `_o_` on the wire); `nil` for a
    /// server-level call.
    public var target: Ref?
    /// Positional arguments (`_a`).
    public var args: [Value]
    /// Named arguments, in their order (every key not starting with `_m`, `_o`, `_a`, `_mt`).
    public var named: OrderedDictionary<String, Value>
    /// The call is made on the class (`_mt: true`).
    public var classLevel: Bool

    public init(
        method: String, target: Ref? = nil, args: [Value] = [], named: OrderedDictionary<String, Value> = [:],
        classLevel: Bool = false
    ) {
        self.method = method
        self.target = target
        self.args = args
        self.named = named
        self.classLevel = classLevel
    }

    /// Reads a request from a decoded message's `data`; throws `BadRequest` naming what is
    /// missing or of the wrong type. A target sent whole (`Obj`/`Info`) counts as its ref.
    public init(from data: Value) throws(BrokerError) {
        guard case .dict(let dict) = data else { throw BrokerError.badRequest("a request's data must be a dict") }
        guard case .string(let method)? = dict["_m"] else {
            throw BrokerError.badRequest("request without its method name _m (a string)")
        }
        self.init(method: method)
        for (key, value) in dict {
            switch key {
            case "_m":
                continue
            case "_o":
                switch value {
                case .null: target = nil
                case .ref(let r): target = r
                case .object(let o): target = o.ref
                case .info(let i): target = i.ref
                default:
                    throw BrokerError.badRequest("request target _o of '\(BrokerError.excerpt(method))' must be a Ref")
                }
            case "_a":
                switch value {
                case .null: args = []
                case .list(let a): args = a
                default:
                    throw BrokerError.badRequest(
                        "request arguments _a of '\(BrokerError.excerpt(method))' must be a LIST")
                }
            case "_mt":
                switch value {
                case .null: classLevel = false
                case .bool(let b): classLevel = b
                default:
                    throw BrokerError.badRequest(
                        "request flag _mt of '\(BrokerError.excerpt(method))' must be a boolean")
                }
            default:
                named[key] = value
            }
        }
    }

    /// The request as a message's `data`.
    public var value: Value {
        var dict = OrderedDictionary<String, Value>(minimumCapacity: named.count + 4)
        dict["_m"] = .string(method)
        if let target { dict["_o"] = .ref(target) }
        if !args.isEmpty { dict["_a"] = .list(args) }
        if classLevel { dict["_mt"] = .bool(true) }
        for (k, v) in named where !Self.reserved.contains(k) { dict[k] = v }
        return .dict(dict)
    }

    /// The keys with a meaning of their own; named arguments cannot use them.
    public static let reserved: Set<String> = ["_m", "_o", "_a", "_mt"]

    /// The request as a message.
    public var message: Message { Message(data: value) }
}
