import DaBrokerCore
import Testing

@testable import DaBrokerCLI

/// `wire.decimals`: how decimals travel, for clients of the original DaBroker.
@Suite("Configuration: wire")
struct WireSettingsTests {
    let loader = ConfigurationLoader(environment: [:])

    @Test func decimalsDefaultToExactAndCanBeStrings() throws {
        #expect(try loader.parse(yaml: "database: sqlite:x.db\n", file: "gw.yaml").wire.decimals == .exact)
        let strings = try loader.parse(yaml: "wire:\n  decimals: string\n", file: "gw.yaml")
        #expect(strings.wire.decimals == .string)
    }

    @Test func anUnknownEncodingIsRefusedWithTheChoices() throws {
        let e = try #require(
            throws: ConfigurationError.self,
            performing: { try loader.parse(yaml: "wire:\n  decimals: float\n", file: "gw.yaml") })
        #expect(e.message.contains("wire.decimals must be one of exact, string"))
        #expect(e.location?.line == 2)
        let key = try #require(
            throws: ConfigurationError.self,
            performing: { try loader.parse(yaml: "wire:\n  decimal: string\n", file: "gw.yaml") })
        #expect(key.message.contains("unknown key 'decimal'"))
    }
}
