import Foundation
import Testing

@testable import DaBrokerServer

/// `dabroker serve`'s allocator settings: applied on glibc, left alone when the user tunes
/// glibc through the environment.
@Suite struct AllocatorSettingsTests {
    @Test(arguments: ["MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"])
    func aUserSettingWins(variable: String) {
        #expect(!AllocatorSettings.applyServerDefaults(environment: [variable: "2"]))
    }

    @Test func appliedOnGlibc() {
        #if canImport(Glibc)
            #expect(AllocatorSettings.applyServerDefaults(environment: [:]))
        #else
            #expect(!AllocatorSettings.applyServerDefaults(environment: [:]))
        #endif
    }
}
