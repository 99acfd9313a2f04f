import DaBrokerCore
import DaBrokerSQL
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
        #expect(RESTRows.decodeSegment(RESTRows.segment(text)) == text)
    }

    /// The byte-level decoder gives what Foundation's `removingPercentEncoding` gives, and
    /// keeps the text as it came where Foundation gives nil (a malformed escape, bytes that
    /// are not UTF-8).
    @Test(arguments: [
        "plain", "a%20b", "%C3%BCn%C3%AF", "%e6%97%a5", "a+b", "100%", "%", "%4", "%G1", "%41%", "%FF", "%C3",
        "%2F%3F%23", "%F0%9F%8E%B8", "mixed%2fCase%2F", "",
    ])
    func decodeSegmentIsFoundationsDecoding(_ text: String) {
        #expect(RESTRows.decodeSegment(text) == (text.removingPercentEncoding ?? text))
        #expect(RESTRows.decodeSegment(Substring(text)) == (text.removingPercentEncoding ?? text))
    }
}

/// A body is read with the wire codec; on the REST face its values must be plain JSON.
@Suite("REST values")
struct RESTValuesTests {
    @Test func refsAndObjectsInABodyAreRefused() throws {
        let column = ColumnDescription(name: "SupportRepId", declaredType: "integer", kind: .int, isNullable: true)
        let ref = Value.ref(Ref(key: ObjectKey(["sql", "employee", 1])))
        for smuggled in [ref, .list([1, ref]), .dict(["x": ref])] {
            #expect(throws: RESTProblem.self) { _ = try RESTValues.convert(smuggled, column, table: "customer") }
        }
        do {
            _ = try RESTValues.convert(ref, column, table: "customer")
        } catch {
            #expect(error.status == 422)
            #expect(error.detail.contains("'SupportRepId'") && error.detail.contains("'customer'"))
        }
        #expect(try RESTValues.convert(.int(3), column, table: "customer") == .int(3))
        // A json column takes any JSON, a ref's text included.
        let json = ColumnDescription(name: "doc", declaredType: "jsonb", kind: .json, isNullable: true)
        if case .json = try RESTValues.convert(.dict(["x": 1]), json, table: "t") {
        } else {
            Issue.record("a json column's value is not json text")
        }
    }
}
