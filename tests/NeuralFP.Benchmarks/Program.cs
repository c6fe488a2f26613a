using NeuralFP.Benchmarks;

if (args is ["memory-child", .. var scenario]) return await MemoryBenchmark.ChildMainAsync(scenario);

// Benchmarks print Markdown tables (paste them into the README). Speed is measured here, never in tests.
var suites = new Dictionary<string, Func<TextWriter, Task>>(StringComparer.OrdinalIgnoreCase)
{
    ["engine"] = EngineBenchmark.RunAsync,
    ["matching"] = MatchingBenchmark.RunAsync,
    ["throughput"] = ThroughputBenchmark.RunAsync,
    ["ablation"] = AblationBenchmark.RunAsync,
    ["memory"] = MemoryBenchmark.RunAsync,
    ["build"] = BuildSpeedBenchmark.RunAsync,
    ["trainer"] = TrainerBenchmark.RunAsync,
    ["sample"] = TrainingSampleBenchmark.RunAsync,
    ["explain"] = ExplainBenchmark.RunAsync,
    ["panel"] = PanelBenchmark.RunAsync,
    ["scorergraph"] = ScorerGraphBenchmark.RunAsync,
    ["execmode"] = ExecutionModeBenchmark.RunAsync,
    ["tabdiag"] = TabularDiagnosis.RunAsync,
    ["tabcrossfit"] = CrossFitExperiment.RunAsync,
    ["int8"] = Int8Benchmark.RunAsync,
    ["complexity"] = ComplexityFormsBenchmark.RunAsync,
    ["graphs"] = GraphsBenchmark.RunAsync,
    ["unseen"] = UnseenCalibrationBenchmark.RunAsync,
};
// "all" runs the quick suites; the panel (tens of minutes on two cores) and scorergraph run only when named.
var chosen = args.Length == 0 || args.Contains("all", StringComparer.OrdinalIgnoreCase) ? suites.Keys.Where(k => k is not ("panel" or "scorergraph" or "execmode" or "tabdiag" or "tabcrossfit" or "int8" or "complexity" or "graphs" or "unseen")).ToArray() : args;
var unknown = chosen.Where(name => !suites.ContainsKey(name)).ToArray();
if (unknown.Length > 0)
{
    Console.Error.WriteLine($"Unknown benchmark(s): {string.Join(", ", unknown)}. Choose from: all, {string.Join(", ", suites.Keys)}.");
    return 2;
}
Console.WriteLine($"NeuralFP benchmarks, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
foreach (var name in chosen)
{
    Console.WriteLine();
    Console.WriteLine($"## {name}");
    await suites[name](Console.Out);
}
return 0;
