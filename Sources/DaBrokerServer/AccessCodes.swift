import Crypto
import DaBrokerCore
import Foundation

/// Makes and checks the access codes (`c`) of refs sent to clients.
///
/// A code is HMAC-SHA256(secret, canonical key bytes), truncated to its first 9 bytes and
/// written as URL-safe base64 without padding (12 characters). The canonical key bytes are
/// the JSON codec's encoding of the key as a list, so every server with the same secret
/// makes and accepts the same codes.
public struct AccessCodes: Sendable {
    private let secret: [UInt8]
    private let canonical: @Sendable (ObjectKey) -> [UInt8]

    /// Codes keyed by `secret`; `canonical` gives the canonical bytes of a key.
    init(secret: [UInt8], canonical: @escaping @Sendable (ObjectKey) -> [UInt8]) {
        self.secret = secret
        self.canonical = canonical
    }

    /// A fresh random secret (32 bytes), for a server configured without one.
    static func randomSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The access code of `key`.
    public func code(for key: ObjectKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: canonical(key), using: SymmetricKey(data: secret))
        let bytes = Data(Array(mac).prefix(9))
        return bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Whether `ref` carries the right code for its key (compared in constant time).
    /// The meta singleton needs no code.
    public func isValid(_ ref: Ref) -> Bool {
        if ref.key.isMetaRoot { return true }
        guard let given = ref.code else { return false }
        let expected = Array(code(for: ref.key).utf8)
        let got = Array(given.utf8)
        guard expected.count == got.count else { return false }
        var diff: UInt8 = 0
        for (a, b) in zip(expected, got) { diff |= a ^ b }
        return diff == 0
    }

    /// `ref` with its code set.
    public func sign(_ ref: Ref) -> Ref {
        if ref.key.isMetaRoot { return Ref(key: ref.key) }
        return Ref(key: ref.key, code: code(for: ref.key))
    }
}
