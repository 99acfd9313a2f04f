import DaBrokerCore
import Foundation

/// Makes and checks the access codes (`c`) of refs sent to clients.
///
/// A code is HMAC-SHA256(secret, canonical key bytes), truncated to its first 9 bytes and
/// written as URL-safe base64 without padding (12 characters). The canonical key bytes are
/// the JSON codec's encoding of the key as a list, so every server with the same secret
/// makes and accepts the same codes.
public struct AccessCodes: Sendable {
    private let keyed: KeyedMAC
    private let canonical: @Sendable (ObjectKey) -> [UInt8]

    /// Codes keyed by `secret`; `canonical` gives the canonical bytes of a key.
    init(secret: [UInt8], canonical: @escaping @Sendable (ObjectKey) -> [UInt8]) {
        self.keyed = KeyedMAC(key: secret)
        self.canonical = canonical
    }

    /// A fresh random secret (32 bytes), for a server configured without one.
    static func randomSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The access code of `key`.
    public func code(for key: ObjectKey) -> String {
        canonical(key).withUnsafeBytes { code(canonical: $0) }
    }

    /// The code of the key whose canonical bytes are `canonical` (as the encoder wrote them).
    package func code(canonical: UnsafeRawBufferPointer) -> String {
        // The first 9 bytes in URL-safe base64 (no padding: 9 bytes are 12 characters).
        keyed.withMAC(of: canonical) { mac in
            Base64.string(UnsafeRawBufferPointer(rebasing: mac.prefix(9)), urlSafe: true)
        }
    }

    /// Whether `ref` carries the right code for its key (compared in constant time).
    /// The meta singleton needs no code.
    public func isValid(_ ref: Ref) -> Bool {
        if ref.key.isMetaRoot { return true }
        guard let given = ref.code else { return false }
        return ConstantTime.equal(Array(code(for: ref.key).utf8), Array(given.utf8))
    }

    /// The HMAC-SHA256 of `bytes` under the server's secret, for other signed tokens (query
    /// cursors); callers put a purpose prefix of their own into `bytes`.
    func signature(of bytes: [UInt8]) -> [UInt8] {
        keyed.mac(of: bytes)
    }

    /// `ref` with its code set.
    public func sign(_ ref: Ref) -> Ref {
        if ref.key.isMetaRoot { return Ref(key: ref.key) }
        return Ref(key: ref.key, code: code(for: ref.key))
    }
}
