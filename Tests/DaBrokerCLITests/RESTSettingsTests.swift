import Testing

@testable import DaBrokerCLI

/// `rest:`: the REST face's switch, prefix and If-Match rule.
@Suite("Configuration: rest")
struct RESTSettingsTests {
    let loader = ConfigurationLoader(environment: [:])

    @Test func onByDefaultAndCanBeSwitchedOff() throws {
        let plain = try loader.parse(yaml: "database: sqlite:x.db\n", file: "gw.yaml").rest
        #expect(plain.enabled && plain.prefix == "/api" && plain.requireIfMatch)
        #expect(try loader.parse(yaml: "rest: false\n", file: "gw.yaml").rest.enabled == false)
        #expect(try loader.parse(yaml: "rest:\n  enabled: false\n", file: "gw.yaml").rest.enabled == false)
    }

    @Test func prefixAndIfMatch() throws {
        let rest = try loader.parse(yaml: "rest:\n  prefix: /v1/rest\n  require_if_match: false\n", file: "gw.yaml")
            .rest
        #expect(rest.enabled && rest.prefix == "/v1/rest" && !rest.requireIfMatch)
    }

    @Test func badPrefixesAreRefused() throws {
        for prefix in ["api", "/api/", "/rpc", "/", "/a b"] {
            let e = try #require(
                throws: ConfigurationError.self,
                performing: { try loader.parse(yaml: "rest:\n  prefix: '\(prefix)'\n", file: "gw.yaml") })
            #expect(e.message.contains("is not a path prefix"))
            #expect(e.location?.line == 2)
        }
        #expect(throws: ConfigurationError.self) { try loader.parse(yaml: "rest:\n  prefx: /x\n", file: "gw.yaml") }
    }
}
