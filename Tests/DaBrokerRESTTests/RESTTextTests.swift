import DaBrokerCore
import Foundation
import Testing

@testable import DaBrokerREST

/// The REST face's byte-level text helpers against what Foundation would write.
@Suite("REST text")
struct RESTTextTests {
    @Test(arguments: ["plain", "a\"b\\c", "tab\there\nnew\rline", "\u{01}\u{1f}ctl", "ünï 日本 🎸", ""])
    func quoteWritesValidJSON(_ text: String) throws {
        var out: [UInt8] = []
        RESTJSON.quote(text, into: &out)
        let decoded = try JSONSerialization.jsonObject(with: Data(out), options: .fragmentsAllowed) as? String
        #expect(decoded == text)
        #expect(!out.contains { $0 < 0x20 })
    }

    @Test(arguments: ["abc-._~XYZ09", "a b/c?d=e&f", "ünï", "100%", "🎸", ""])
    func segmentEncodesAllButUnreserved(_ text: String) {
        let unreserved = CharacterSet(
            charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        #expect(RESTRows.segment(text) == text.addingPercentEncoding(withAllowedCharacters: unreserved))
        #expect(RESTRows.segment(text).removingPercentEncoding == text)
    }
}
