import DaBrokerCore
import Foundation
import Testing

@Suite("Core's shared helpers: base64, constant-time comparison, URL redaction")
struct SharedHelpersTests {
    @Test func base64StandardAndURLSafe() {
        let bytes: [UInt8] = [0xFB, 0xFF, 0xBF, 0x00, 0x3E]
        #expect(Base64.string(bytes) == "+/+/AD4=")
        #expect(Base64.string(bytes, urlSafe: true) == "-_-_AD4")
        #expect(Base64.string([0x61]) == "YQ==")
        #expect(Base64.string([0x61], urlSafe: true) == "YQ")
        let decoded = Array("+/+/AD4=".utf8).withUnsafeBufferPointer { Base64.decode($0) }
        #expect(decoded == bytes)
    }

    /// Every length of tail (0, 1 or 2 bytes after the last group of 3), as Foundation writes
    /// it; appended after what `out` held; short texts as long ones.
    @Test func base64AgreesWithFoundationAtEveryLength() {
        var generator = SystemRandomNumberGenerator()
        for count in 0...40 {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let standard = Data(bytes).base64EncodedString()
            let urlSafe = String(
                standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                    .prefix { $0 != "=" })
            #expect(Base64.string(bytes) == standard)
            #expect(Base64.string(bytes, urlSafe: true) == urlSafe)
            var out = Array("head:".utf8)
            Base64.encode(bytes, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == "head:" + standard)
            out = Array("head:".utf8)
            Base64.encode(bytes, into: &out, urlSafe: true)
            #expect(String(decoding: out, as: UTF8.self) == "head:" + urlSafe)
            #expect(Array(standard.utf8).withUnsafeBufferPointer { Base64.decode($0) } == bytes)
        }
    }

    @Test func constantTimeEqual() {
        #expect(ConstantTime.equal(Array("abc".utf8), Array("abc".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("abd".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("ab".utf8)))
        #expect(!ConstantTime.equal([0xFF], [0xFF, 0xFF]))
        #expect(!ConstantTime.equal([], [0]))
        #expect(ConstantTime.equal([], []))
    }

    @Test func redactsOnlyThePassword() {
        #expect(URLRedaction.redacted("postgres://u:secret@h:1/d") == "postgres://u:***@h:1/d")
        #expect(URLRedaction.redacted("amqp://u:p%40ss@h:5672/%2F") == "amqp://u:***@h:5672/%2F")
        #expect(URLRedaction.redacted("mysql://u@h/d") == "mysql://u@h/d")
        #expect(URLRedaction.redacted("postgres://h/d?user=a@b") == "postgres://h/d?user=a@b")
        #expect(URLRedaction.redacted("sqlite:/tmp/x.db") == "sqlite:/tmp/x.db")
    }
}
