import DaBrokerSQL
import Foundation
import Testing

/// Reflection results are Codable so that the CLI can print them as JSON.
@Suite("Reflection: JSON coding")
struct ReflectionCodingTests {
    @Test func schemaAndModelRoundTripThroughJSON() throws {
        var schema = RelationshipNamerTests.schema
        schema.tables["film"]?.columns[1].comment = "Größe \"quoted\""
        schema.notices = [ReflectionNotice(kind: .view, table: "v", message: "v is a view: readOnly at most")]
        let model = ReflectedModel(schema: schema)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(model)
        let decoded = try JSONDecoder().decode(ReflectedModel.self, from: json)
        #expect(decoded == model)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"kind\":\"int\""))
        #expect(text.contains("\"onDelete\":\"NO ACTION\""))
        #expect(text.contains("\"film_by_original_language\""))
    }
}
