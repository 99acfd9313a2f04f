let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "reflect":
    try await runReflectionBenchmark(arguments: Array(arguments.dropFirst()))
default:
    print("usage: dabroker-bench reflect [--tables N] [--runs N] [--only postgres,mysql] [--keep] [--venv PATH]")
}
