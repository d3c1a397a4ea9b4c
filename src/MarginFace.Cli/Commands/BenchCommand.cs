using System.CommandLine;
using System.Globalization;
using MarginFace.Benchmarks;
using MarginFace.Losses;
using MarginFace.Runtime;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface bench SUITE</c>: times a suite of cases (warm-up, then repeated runs; median, spread, peak RSS), prints a
/// table and optionally writes the cases as JSON. Suites: heads, train (and its leak check), loader; embed is its own subcommand (<see cref="BenchEmbedCommand"/>).
/// </summary>
internal static class BenchCommand
{
    private static readonly string[] Suites = ["heads", "train", "embed", "loader"];

    public static Command Create()
    {
        var compute = new ComputeOptions();
        var suite = new Argument<string>("suite") { Description = $"what to time: {string.Join(", ", Suites)}" };
        var json = new Option<string?>("--json") { Description = "also write the cases as a JSON list to this file" };
        var classes = new Option<string>("--classes") { Description = "comma-separated class counts C", DefaultValueFactory = _ => "10575,100000" };
        var batch = new Option<int>("--batch") { Description = "batch size B", DefaultValueFactory = _ => 128 };
        var dim = new Option<int>("--dim") { Description = "embedding size D", DefaultValueFactory = _ => 512 };
        var heads = new Option<string>("--heads") { Description = $"comma-separated margin heads, or all: {string.Join(", ", MarginHeadFactory.Names)}", DefaultValueFactory = _ => "all" };
        var baselines = new Option<bool>("--no-baselines") { Description = "skip the matrix-product limit and the seed formulation" };
        var sampleRates = new Option<string?>("--partial-fc") { Description = "comma-separated Partial FC sample rates r to time with ArcFace's margin, e.g. 0.1" };
        var warmup = new Option<int>("--warmup") { Description = "untimed runs before timing each case", DefaultValueFactory = _ => 1 };
        var repeats = new Option<int>("--repeats") { Description = "timed runs per case", DefaultValueFactory = _ => 5 };
        var interleave = new Option<bool>("--interleave") { Description = "time the cases of each class count round-robin, so load changes fall on all alike (memory is then the group's)" };
        var seed = new Option<int>("--seed") { Description = "seed of the random inputs", DefaultValueFactory = _ => 0 };
        var quick = new Option<bool>("--quick") { Description = "tiny shapes (B 8, D 16, C 64 and 1000), one timed run: checks that the suite runs" };
        var command = new Command("bench", "Time a suite (heads: each margin head's forward + backward beside its matrix products and the seed formulation); print a table, optionally write JSON")
        {
            suite, json, classes, batch, dim, heads, baselines, sampleRates, warmup, repeats, interleave, seed, quick,
        };
        compute.AddTo(command);
        command.Add(BenchEmbedCommand.Create());
        var trainLoader = new BenchTrainLoaderOptions();
        trainLoader.AddTo(command);
        command.SetAction(parse =>
        {
            var name = parse.GetValue(suite)!.Trim().ToLowerInvariant();
            if (!Suites.Contains(name))
                throw new MarginFaceException($"bench: unknown suite '{parse.GetValue(suite)}'; known: {string.Join(", ", Suites)}");
            if (name is "train" or "loader")
                return RunTrainOrLoader(name, parse, compute, trainLoader, new(batch, classes, warmup, repeats, seed, quick), json);
            if (name != "heads")
                throw new MarginFaceException($"bench {name}: this suite is not available yet; available: heads, train, loader, embed");
            var options = new HeadBenchmarkOptions
            {
                Classes = ParseList(parse.GetValue(classes)!, "--classes", s => int.Parse(s, CultureInfo.InvariantCulture), v => v >= 1),
                Batch = Positive(parse.GetValue(batch), "--batch"),
                Dim = Positive(parse.GetValue(dim), "--dim"),
                Heads = ParseHeads(parse.GetValue(heads)!),
                Baselines = !parse.GetValue(baselines),
                SampleRates = parse.GetValue(sampleRates) is string rates
                    ? ParseList(rates, "--partial-fc", s => double.Parse(s, CultureInfo.InvariantCulture), v => v > 0 && v <= 1)
                    : [],
                Warmup = parse.GetValue(warmup) >= 0 ? parse.GetValue(warmup) : throw new MarginFaceException($"--warmup: expected 0 or a positive number, got {parse.GetValue(warmup)}"),
                Repeats = Positive(parse.GetValue(repeats), "--repeats"),
                Seed = parse.GetValue(seed),
                Interleave = parse.GetValue(interleave),
            };
            if (parse.GetValue(quick))
                options = options with { Classes = [64, 1000], Batch = 8, Dim = 16, Repeats = 1 };
            var device = compute.Open(parse);
            options = options with { Device = device };
            System.Console.WriteLine($"bench heads: B {options.Batch}, D {options.Dim}, C {string.Join(", ", options.Classes)}; warm-up {options.Warmup}, {options.Repeats} timed run(s) per case");
            var results = HeadBenchmark.Run(options, r =>
                System.Console.WriteLine($"  {r.Head} C={r.Classes}{(r.SampleRate is double rate ? $" r={rate}" : "")}: median {r.MedianMs:0.0} ms ({r.MinMs:0.0}–{r.MaxMs:0.0}), peak RSS {r.PeakRssMb:0} MiB"));
            System.Console.WriteLine();
            System.Console.Write(BenchmarkReport.Table(results));
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

    private static int RunTrainOrLoader(string name, ParseResult parse, ComputeOptions compute, BenchTrainLoaderOptions suites,
        BenchTrainLoaderOptions.Shared shared, Option<string?> json)
    {
        var device = compute.Open(parse);
        var results = name == "train"
            ? suites.RunTrain(parse, shared, device, System.Console.WriteLine)
            : suites.RunLoader(parse, shared, device, System.Console.WriteLine);
        string? text = null;
        if (results is not null)
        {
            System.Console.WriteLine();
            System.Console.Write(TrainLoaderReport.Table(results));
            text = BenchmarkReport.ToJson(results);
        }
        else if (suites.LastLeakCheck is { } leak)
            text = System.Text.Json.JsonSerializer.Serialize(leak, LeakJson);
        if (parse.GetValue(json) is string path && text is not null)
        {
            AtomicFile.WriteAllText(path, text);
            System.Console.WriteLine($"wrote {path}");
        }
        return 0;
    }

    private static readonly System.Text.Json.JsonSerializerOptions LeakJson = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    private static IReadOnlyList<string> ParseHeads(string spec)
    {
        if (spec.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return MarginHeadFactory.Names;
        if (spec.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) return [];
        var names = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).ToArray();
        foreach (var n in names)
            if (!MarginHeadFactory.Names.Contains(n))
                throw new MarginFaceException($"--heads: unknown head '{n}'; known: {string.Join(", ", MarginHeadFactory.Names)}");
        return names;
    }

    private static T[] ParseList<T>(string spec, string option, Func<string, T> parse, Func<T, bool> valid)
    {
        var parts = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new MarginFaceException($"{option}: expected a comma-separated list, got '{spec}'");
        return parts.Select(p =>
        {
            T value;
            try { value = parse(p); }
            catch (Exception e) when (e is FormatException or OverflowException) { throw new MarginFaceException($"{option}: '{p}' is not a valid number"); }
            return valid(value) ? value : throw new MarginFaceException($"{option}: {p} is out of range");
        }).ToArray();
    }

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new MarginFaceException($"{name}: expected a positive number, got {value}");
}
