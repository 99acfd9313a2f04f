// The entry point; see BenchCommand. A static async wrapper is needed: calling
// `await BenchCommand.main()` at top level would pick the synchronous overload.
await BenchCommand.runMain()
