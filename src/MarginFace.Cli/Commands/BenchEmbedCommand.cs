using System.CommandLine;
using System.Globalization;
using MarginFace.Benchmarks;
using MarginFace.Models;
using MarginFace.Runtime;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface bench embed</c>: backbone inference in images/s per network, runtime (TorchSharp, ONNX Runtime) and batch size
/// (<see cref="EmbedBenchmark"/>); prints a table, optionally writes the cases as JSON.
/// </summary>
internal static class BenchEmbedCommand
{
    public static Command Create()
    {
        var compute = new ComputeOptions();
        var json = new Option<string?>("--json") { Description = "also write the cases as a JSON list to this file" };
        var networks = new Option<string?>("--networks") { Description = $"comma-separated backbones (default: {string.Join(",", EmbedBenchmark.DefaultNetworks)})" };
        var runtimes = new Option<string>("--runtimes") { Description = $"comma-separated: {EmbedBenchmark.TorchSharp}, {EmbedBenchmark.OnnxRuntime}", DefaultValueFactory = _ => $"{EmbedBenchmark.TorchSharp},{EmbedBenchmark.OnnxRuntime}" };
        var batches = new Option<string>("--batches") { Description = "comma-separated batch sizes", DefaultValueFactory = _ => "1,64" };
        var warmup = new Option<int>("--warmup") { Description = "untimed runs before timing each case", DefaultValueFactory = _ => 1 };
        var repeats = new Option<int>("--repeats") { Description = "timed runs per case", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "seed of the random weights and inputs", DefaultValueFactory = _ => 0 };
        var interleave = new Option<bool>("--interleave") { Description = "time the runtimes of each network and batch round-robin, so load changes fall on all alike (memory is then the group's)" };
        var quick = new Option<bool>("--quick") { Description = "mobilefacenet only, batches 1 and 2, one timed run: checks that the suite runs" };
        var command = new Command("embed", "Time backbone inference (images/s) on TorchSharp and ONNX Runtime at batch 1 and 64; print a table, optionally write JSON")
        {
            json, networks, runtimes, batches, warmup, repeats, seed, interleave, quick,
        };
        compute.AddTo(command);
        command.SetAction(parse =>
        {
            var names = parse.GetValue(networks) is string list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => CheckNetwork(n)).ToArray()
                : null;
            var runtimeList = parse.GetValue(runtimes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => r.ToLowerInvariant()).ToArray();
            foreach (var r in runtimeList)
                if (r is not (EmbedBenchmark.TorchSharp or EmbedBenchmark.OnnxRuntime))
                    throw new MarginFaceException($"--runtimes: unknown runtime '{r}'; known: {EmbedBenchmark.TorchSharp}, {EmbedBenchmark.OnnxRuntime}");
            if (runtimeList.Length == 0) throw new MarginFaceException("--runtimes: expected a comma-separated list");
            var batchList = parse.GetValue(batches)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(b => int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1 ? v : throw new MarginFaceException($"--batches: '{b}' is not a positive whole number"))
                .ToArray();
            if (batchList.Length == 0) throw new MarginFaceException("--batches: expected a comma-separated list");
            if (parse.GetValue(warmup) < 0) throw new MarginFaceException($"--warmup: expected 0 or a positive number, got {parse.GetValue(warmup)}");
            if (parse.GetValue(repeats) < 1) throw new MarginFaceException($"--repeats: expected a positive number, got {parse.GetValue(repeats)}");
            var device = compute.Open(parse);
            var options = new EmbedBenchmarkOptions
            {
                Networks = names,
                Runtimes = runtimeList,
                Batches = batchList,
                Warmup = parse.GetValue(warmup),
                Repeats = parse.GetValue(repeats),
                Seed = parse.GetValue(seed),
                Interleave = parse.GetValue(interleave),
                Threads = TorchSharp.torch.get_num_threads(),
                Device = device,
            };
            if (parse.GetValue(quick)) options = options with { Networks = names ?? ["mobilefacenet"], Batches = [1, 2], Repeats = 1 };
            System.Console.WriteLine($"bench embed: {string.Join(", ", options.Networks ?? EmbedBenchmark.DefaultNetworks)}; {string.Join(", ", options.Runtimes)}; B {string.Join(", ", options.Batches)}; warm-up {options.Warmup}, {options.Repeats} timed run(s) per case");
            var results = EmbedBenchmark.Run(options, r =>
                System.Console.WriteLine($"  {r.Network} {r.Runtime} B={r.Batch}: median {r.MedianMs:0.00} ms ({r.MinMs:0.00}–{r.MaxMs:0.00}), {r.ImagesPerSecond:0.0} images/s, peak RSS {r.PeakRssMb:0} MiB"));
            System.Console.WriteLine();
            System.Console.Write(EmbedBenchmark.Table(results));
            if (!ProcessMemory.PeakResettable)
                System.Console.WriteLine("note: /proc/self/clear_refs refused; peak RSS is the process's since start");
            if (parse.GetValue(json) is string path)
            {
                AtomicFile.WriteAllText(path, BenchmarkReport.ToJson(results));
                System.Console.WriteLine($"wrote {path}");
            }
            return 0;
        });
        return command;
    }

    private static string CheckNetwork(string name)
    {
        try
        {
            return BackboneFactory.CheckName(name);
        }
        catch (ArgumentException)
        {
            throw new MarginFaceException($"--networks: unknown backbone '{name}'; known: {string.Join(", ", BackboneFactory.Names)}");
        }
    }
}
