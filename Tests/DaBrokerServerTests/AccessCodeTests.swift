import Crypto
import DaBrokerCore
import Foundation
import Testing

@testable import DaBrokerServer

@Suite("Access codes")
struct AccessCodeTests {
    private func served(secret: String?) async throws -> (BrokerServer, TestClient, StaticObject, StaticObject) {
        let server = BrokerServer(configuration: .init(secret: secret))
        let transport = RecordingTransport()
        server.addTransport(transport)
        let cls = try server.exportClass("Thing", key: ["thing", "meta"], fields: ["secret"])
        let a = StaticObject(class: cls, values: ["secret": "a"])
        let b = StaticObject(class: cls, values: ["secret": "b"])
        try server.addStatic(a, "thing", "a")
        try server.addStatic(b, "thing", "b")
        server.root = a
        try await server.start()
        return (server, TestClient(transport: transport), a, b)
    }

    @Test func codeShapeAndDeterminism() {
        let server = BrokerServer(configuration: .init(secret: "k"))
        let key = ObjectKey(["sql", "person", 3])
        let code = server.codes.code(for: key)
        #expect(code.count == 12)
        #expect(code.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(server.codes.code(for: key) == code)
        #expect(server.codes.code(for: ObjectKey(["sql", "person", 4])) != code)
        #expect(server.codes.code(for: ObjectKey(["sql", "person", "3"])) != code)
        // Servers sharing a secret make the same codes; another secret makes others.
        #expect(BrokerServer(configuration: .init(secret: "k")).codes.code(for: key) == code)
        #expect(BrokerServer(configuration: .init(secret: "other")).codes.code(for: key) != code)
    }

    /// The code is exactly DESIGN.md's: HMAC-SHA256 over the canonical key bytes, first 9 bytes,
    /// URL-safe base64 without padding — computed here the slow, obvious way.
    @Test func codeIsTheTruncatedHMACInURLSafeBase64() {
        let secret = Array("a secret".utf8)
        let codes = AccessCodes(secret: secret, canonical: WireCodec.canonicalKeyBytes)
        for key in [
            ObjectKey(["sql", "person", 3]), ObjectKey(["static", "thing", "b"]), ObjectKey(["x", "Größe", -7]),
        ] + (0..<200).map({ ObjectKey(["t", .int(Int64($0))]) }) {
            let mac = HMAC<SHA256>.authenticationCode(
                for: WireCodec.canonicalKeyBytes(key), using: SymmetricKey(data: secret))
            let expected = Data(Array(mac).prefix(9)).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            #expect(codes.code(for: key) == expected, "\(key)")
        }
    }

    /// `KeyedMAC` hashes the padded key blocks once; its MACs must be swift-crypto's HMAC's for
    /// keys shorter than, as long as and longer than a block, and messages of any length.
    @Test(arguments: [0, 1, 32, 63, 64, 65, 200])
    func keyedMACIsHMACSHA256(keyLength: Int) {
        var generator = SystemRandomNumberGenerator()
        let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let keyed = KeyedMAC(key: key)
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000] {
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
            #expect(keyed.mac(of: message) == expected, "key \(keyLength) bytes, message \(length) bytes")
        }
    }

    @Test func missingWrongAndCrossObjectCodesAreRefused() async throws {
        let (server, client, _, _) = try await served(secret: "s")
        let a = try #require(try await client.call("root").object).ref
        #expect(try await client.get(a).object?.fields["secret"] == "a")
        let bKey = ObjectKey(["static", "thing", "b"])
        let cases: [Ref] = [
            Ref(key: bKey),  // missing
            Ref(key: bKey, code: "AAAAAAAAAAAA"),  // forged
            Ref(key: bKey, code: a.code),  // another object's code
            Ref(key: bKey, code: String((a.code ?? "").dropLast())),  // truncated
        ]
        for ref in cases {
            let e = try await client.failure("get", args: [.ref(ref)])
            #expect(e?.kind == .accessDenied)
            // As a call target and inside arguments too.
            #expect(try await client.failure("anything", target: ref)?.kind == .accessDenied)
            #expect(try await client.failure("echo", args: [.list([.ref(ref)])])?.kind == .accessDenied)
        }
        // No existence leak: a key that does not exist gets the same error with a bad code...
        let ghost = try await client.failure("get", args: [.ref(Ref(key: ObjectKey(["static", "ghost"]), code: "x"))])
        #expect(ghost?.kind == .accessDenied)
        // ...and NoData only with a valid code (which only a server can make).
        let ghostKey = ObjectKey(["static", "ghost"])
        let valid = Ref(key: ghostKey, code: server.codes.code(for: ghostKey))
        #expect(try await client.failure("get", args: [.ref(valid)])?.kind == .noData)
        await server.stop()
    }

    @Test func serversSharingASecretAcceptEachOthersCodes() async throws {
        let (s1, c1, _, _) = try await served(secret: "shared")
        let (s2, c2, _, _) = try await served(secret: "shared")
        let (s3, c3, _, _) = try await served(secret: nil)
        let ref = try #require(try await c1.call("root").object).ref
        #expect(try await c2.get(ref).object?.fields["secret"] == "a")
        #expect(try await c3.failure("get", args: [.ref(ref)])?.kind == .accessDenied)
        #expect(s1.instanceID != s2.instanceID)
        for s in [s1, s2, s3] { await s.stop() }
    }

    /// A reply's codes are set as it is encoded (`RefCodes`); the bytes must be those of
    /// signing the value first and encoding it, for every place a ref can be: objects' own
    /// refs, their refs and fields, lists, dicts, infos (whose cached values keep the codes
    /// they carry), the meta singleton, withheld keys, repeats and shared objects, with both
    /// decimal encodings (codes never depend on it).
    @Test(arguments: [DecimalEncoding.exact, .string])
    func codesSetWhileEncodingAreThoseOfSigningFirst(decimals: DecimalEncoding) throws {
        let server = BrokerServer(configuration: .init(secret: "k"))
        let meta = Ref(key: ObjectKey(["sql", "track", "meta"]), code: "stale")
        let artist = ObjectKey(["sql", "artist", 7])
        let hidden = ObjectKey(["sql", "secret", 1])
        let price = ObjectKey(["sql", "price", .decimal("1.50")])
        func row(_ id: Int64, artist a: ObjectKey?) -> Value {
            .object(
                ObjectValue(
                    ref: Ref(key: ObjectKey(["sql", "track", .int(id)]), code: id == 2 ? "given" : nil),
                    fields: ["name": .string("t\(id)"), "n": .int(id), "link": .ref(Ref(key: hidden, code: "x"))],
                    refs: ["_meta": meta, "artist": a.map { Ref(key: $0) }, "price": Ref(key: price)]))
        }
        let info = Value.info(
            InfoValue(
                ref: meta, info: BrokeredInfo(name: "track", cached: .list([.ref(Ref(key: artist, code: "kept"))])),
                meta: Ref(key: .metaRoot)))
        let shared = row(9, artist: artist)
        let values: [Value] = [
            .list((1...12).map { row($0, artist: $0 % 3 == 0 ? nil : artist) }),
            .list([shared, .dict(["again": shared, "info": info]), shared]),
            .dict(["root": .ref(Ref(key: .metaRoot, code: "x")), "info": info, "key": .ref(Ref(key: price))]),
            .ref(Ref(key: artist)), .int(3), .null,
        ]
        for value in values {
            for withholding in [Set<ObjectKey>(), [hidden], [hidden, artist, ObjectKey(["sql", "track", 2])]] {
                let signed = try WireCodec.encode(
                    Message(data: server.sign(value, withholding: withholding), msgid: 1), decimals: decimals)
                let written = try WireCodec.encode(
                    Message(data: value, msgid: 1), decimals: decimals,
                    codes: server.refCodes(withholding: withholding))
                #expect(String(decoding: written, as: UTF8.self) == String(decoding: signed, as: UTF8.self))
            }
        }
        // The codes are there (and withheld ones are not): the comparison is not of two unsigned texts.
        let text = String(
            decoding: try WireCodec.encode(
                Message(data: values[0], msgid: 1), decimals: decimals,
                codes: server.refCodes(withholding: [hidden])), as: UTF8.self)
        #expect(text.contains(server.codes.code(for: artist)))
        #expect(text.contains(server.codes.code(for: price)))
        #expect(!text.contains(server.codes.code(for: hidden)))
        #expect(!text.contains("stale") && !text.contains("given") && !text.contains("\"x\""))
    }
}
