import Foundation
import Testing

/// What the package says it needs agrees with what builds it: the container image's Swift
/// is at least the manifest's `swift-tools-version`, and README's Quick start names the
/// scripts that install what the build needs.
@Suite("package claims")
struct PackageClaimsTests {
    static func text(_ path: String) throws -> String {
        try String(contentsOf: CLITestPaths.root.appendingPathComponent(path), encoding: .utf8)
    }

    /// `major.minor` of the first match of `pattern`'s first capture group in `text`.
    static func version(in text: String, _ pattern: String) throws -> [Int] {
        let regex = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        let range = NSRange(text.startIndex..., in: text)
        let match = try #require(regex.firstMatch(in: text, range: range), "no match for \(pattern)")
        let found = try #require(Range(match.range(at: 1), in: text))
        return text[found].split(separator: ".").compactMap { Int($0) }
    }

    @Test func dockerfileSwiftIsAtLeastTheToolsVersion() throws {
        let tools = try Self.version(in: Self.text("Package.swift"), #"^// swift-tools-version:\s*([0-9]+\.[0-9]+)"#)
        let image = try Self.version(in: Self.text("Dockerfile"), #"^FROM swift:([0-9]+\.[0-9]+)"#)
        #expect(tools.count == 2 && image.count == 2)
        #expect(
            image.lexicographicallyPrecedes(tools) == false,
            "the Dockerfile builds with Swift \(image) but Package.swift needs \(tools)")
    }

    @Test func toolsVersionCoversTheLanguageFeaturesUsed() throws {
        // `nonisolated(nonsending)` needs Swift 6.2; `Mutex`/`Atomic` need macOS 15.
        let tools = try Self.version(in: Self.text("Package.swift"), #"^// swift-tools-version:\s*([0-9]+\.[0-9]+)"#)
        #expect(!tools.lexicographicallyPrecedes([6, 2]), "nonisolated(nonsending) needs tools version 6.2")
        let manifest = try Self.text("Package.swift")
        #expect(manifest.contains(".macOS(.v15)"), "Mutex and Atomic (Synchronization) need macOS 15")
    }

    @Test func quickStartCommandsInstallWhatTheyNeed() throws {
        let readme = try Self.text("README.md")
        #expect(readme.contains("bash scripts/run.sh serve"))
        #expect(readme.contains("bash scripts/test.sh"))
        let run = try Self.text("scripts/run.sh")
        let stack = try Self.text("scripts/test-stack.sh")
        #expect(run.contains("install-libs.sh") && stack.contains("install-libs.sh"))
        let libs = try Self.text("scripts/install-libs.sh")
        for package in ["libpq-dev", "libmariadb-dev", "libsqlite3-dev", "librabbitmq-dev", "pkg-config"] {
            #expect(libs.contains(package), "install-libs.sh installs \(package)")
        }
    }
}
