import Crypto

/// HMAC-SHA256 (RFC 2104) under one secret, for many short messages.
///
/// It gives the same MACs as swift-crypto's `HMAC<SHA256>`, built from swift-crypto's
/// `SHA256`: the two padded key blocks are hashed once, when the key is set, and each MAC
/// starts from copies of those states. Messages go in as raw buffers, which avoids the
/// generic `DataProtocol` path that cost as much as the hashing itself on keys of a few
/// dozen bytes (docs/performance.md).
///
/// `@unchecked Sendable` because swift-crypto does not mark `SHA256` as `Sendable`. It is
/// safe: `SHA256` is a struct whose state is copy-on-write (swift-crypto checks
/// `isKnownUniquelyReferenced` before each update, and `finalize` reads a copy), the stored
/// states are never mutated, and each MAC updates copies of its own.
struct KeyedMAC: @unchecked Sendable {
    private let inner: SHA256
    private let outer: SHA256

    /// SHA-256's block size in bytes.
    private static let blockSize = 64

    init(key: [UInt8]) {
        var block = key.count > Self.blockSize ? Array(SHA256.hash(data: key)) : key
        block += [UInt8](repeating: 0, count: Self.blockSize - block.count)
        var inner = SHA256()
        var outer = SHA256()
        block.map { $0 ^ 0x36 }.withUnsafeBytes { inner.update(bufferPointer: $0) }
        block.map { $0 ^ 0x5c }.withUnsafeBytes { outer.update(bufferPointer: $0) }
        self.inner = inner
        self.outer = outer
    }

    /// Calls `body` with the 32 bytes of the MAC of `message`.
    func withMAC<R>(of message: [UInt8], _ body: (UnsafeRawBufferPointer) -> R) -> R {
        message.withUnsafeBytes { withMAC(of: $0, body) }
    }

    func withMAC<R>(of message: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var inner = self.inner
        inner.update(bufferPointer: message)
        var outer = self.outer
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize().withUnsafeBytes(body)
    }

    /// The 32 bytes of the MAC of `message`.
    func mac(of message: [UInt8]) -> [UInt8] {
        withMAC(of: message) { Array($0) }
    }
}
