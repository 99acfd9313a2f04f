import CLibCrypto

/// HMAC-SHA256 (RFC 2104) under one secret, for many short messages.
///
/// The two padded key blocks are hashed once, when the key is set; each MAC starts from
/// copies of those states. The states are libcrypto's plain `SHA256_CTX` structs, copied by
/// value on the stack: a MAC of an access code's few dozen bytes is two SHA-256 blocks and no
/// allocation. swift-crypto's `SHA256` keeps its state in a class, so each copy that is
/// updated or finalised allocated a new one, and those copies cost three times the hashing
/// (docs/performance-rounds.md, round of 2026-12-05 morning). The MACs are swift-crypto's
/// `HMAC<SHA256>`'s (tests check it).
struct KeyedMAC: Sendable {
    private let inner: SHA256_CTX
    private let outer: SHA256_CTX

    /// SHA-256's block size in bytes.
    private static let blockSize = 64
    /// SHA-256's digest size in bytes.
    private static let digestSize = 32

    init(key: [UInt8]) {
        var block = key
        if key.count > Self.blockSize {
            block = [UInt8](repeating: 0, count: Self.digestSize)
            var c = SHA256_CTX()
            SHA256_Init(&c)
            SHA256_Update(&c, key, key.count)
            SHA256_Final(&block, &c)
        }
        block += [UInt8](repeating: 0, count: Self.blockSize - block.count)
        func state(_ pad: UInt8) -> SHA256_CTX {
            var c = SHA256_CTX()
            SHA256_Init(&c)
            SHA256_Update(&c, block.map { $0 ^ pad }, Self.blockSize)
            return c
        }
        inner = state(0x36)
        outer = state(0x5c)
    }

    /// Calls `body` with the 32 bytes of the MAC of `message`.
    func withMAC<R>(of message: [UInt8], _ body: (UnsafeRawBufferPointer) -> R) -> R {
        message.withUnsafeBytes { withMAC(of: $0, body) }
    }

    func withMAC<R>(of message: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.digestSize) { digest in
            let d = digest.baseAddress
            var c = inner
            SHA256_Update(&c, message.baseAddress, message.count)
            SHA256_Final(d, &c)
            c = outer
            SHA256_Update(&c, d, Self.digestSize)
            SHA256_Final(d, &c)
            return body(UnsafeRawBufferPointer(digest))
        }
    }

    /// The 32 bytes of the MAC of `message`.
    func mac(of message: [UInt8]) -> [UInt8] {
        withMAC(of: message) { Array($0) }
    }
}
