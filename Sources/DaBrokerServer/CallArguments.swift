import DaBrokerCore
import OrderedCollections

/// The arguments of one call as a client sent them: positional (`_a`) and named.
///
/// Every ref among them has had its access code checked before the call runs.
public struct CallArguments: Sendable {
    /// Positional arguments (`_a`).
    public var positional: [Value]
    /// Named arguments (every request key that is not `_m`, `_o`, `_a` or `_mt`).
    public var named: OrderedDictionary<String, Value>
    /// Whether the client flagged the call as class-level (`_mt`).
    public var classLevel: Bool

    public init(
        positional: [Value] = [], named: OrderedDictionary<String, Value> = [:], classLevel: Bool = false
    ) {
        self.positional = positional
        self.named = named
        self.classLevel = classLevel
    }

    /// The positional argument at `index`, or `null` when the client sent fewer.
    public subscript(index: Int) -> Value {
        index >= 0 && index < positional.count ? positional[index] : .null
    }

    /// The named argument `name`, or `nil`.
    public subscript(name: String) -> Value? { named[name] }

    /// The positional argument at `index` as a string; `BadRequest` naming `method` otherwise.
    public func string(_ index: Int, method: String = "call") throws -> String {
        guard case .string(let s) = self[index] else {
            throw BrokerError.badRequest("\(method): argument \(index + 1) must be a string")
        }
        return s
    }

    /// The positional argument at `index` as an integer; `BadRequest` naming `method` otherwise.
    public func int(_ index: Int, method: String = "call") throws -> Int64 {
        guard case .int(let i) = self[index] else {
            throw BrokerError.badRequest("\(method): argument \(index + 1) must be an integer")
        }
        return i
    }

    /// The positional argument at `index` as a ref; `BadRequest` naming `method` otherwise.
    public func ref(_ index: Int, method: String = "call") throws -> Ref {
        switch self[index] {
        case .ref(let r): return r
        case .object(let o): return o.ref
        case .info(let i): return i.ref
        default: throw BrokerError.badRequest("\(method): argument \(index + 1) must be an object reference")
        }
    }
}
