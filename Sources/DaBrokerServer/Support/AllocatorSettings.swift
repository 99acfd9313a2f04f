import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How a gateway process asks glibc's allocator to give memory back after a burst.
///
/// With glibc's defaults, each thread that allocates may get an arena of its own (up to 8
/// per core), large blocks come from those arenas once the allocator has raised its mmap
/// threshold, and `malloc_trim` cannot shrink the top of an arena other than the main one.
/// After 64 concurrent searches of 10,000 rows, the server kept 30 MiB of freed heap for
/// good (RSS 1.6× its idle level). With at most 2 arenas per core and blocks of 64 KiB and
/// more mapped on their own (and unmapped when freed), it returns within 1.1× of its idle
/// level (`dabroker-bench --memory-burst-only`; docs/performance.md).
///
/// `dabroker serve` applies these at start-up, before the servers' threads exist. A user who
/// tunes glibc through `MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_`, `MALLOC_TRIM_THRESHOLD_`
/// or `GLIBC_TUNABLES` keeps their settings: then nothing is changed.
public enum AllocatorSettings {
    /// Largest number of arenas per core.
    public static let arenasPerCore = 2
    /// Blocks of this size and more are mapped on their own.
    public static let mmapThreshold = 64 * 1024

    /// Applies the settings unless the environment tunes glibc already; returns whether they
    /// were applied (false also where the C library is not glibc).
    @discardableResult
    public static func applyServerDefaults(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Bool {
        let tuned = ["MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"]
        guard !tuned.contains(where: { environment[$0] != nil }), let mallopt = mallopt else { return false }
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        // M_ARENA_MAX (-8) and M_MMAP_THRESHOLD (-3) from malloc.h; a fixed mmap threshold
        // also stops glibc from raising the trim threshold after large frees.
        let arenas = mallopt(-8, Int32(clamping: arenasPerCore * cores))
        let threshold = mallopt(-3, Int32(mmapThreshold))
        return arenas == 1 && threshold == 1
    }

    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32

    /// glibc's `mallopt`.
    private static let mallopt = glibcFunction("mallopt", as: Mallopt.self)

    /// A function of the C library by name (`nil` where it has none), found with `dlsym`:
    /// Swift's Glibc module does not import `malloc.h`.
    static func glibcFunction<F>(_ name: String, as type: F.Type) -> F? {
        #if canImport(Glibc)
            guard let symbol = dlsym(nil, name) else { return nil }
            return unsafeBitCast(symbol, to: type)
        #else
            return nil
        #endif
    }
}
