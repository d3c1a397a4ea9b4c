using System.CommandLine;
using System.Globalization;
using MarginFace.Benchmarks;
using MarginFace.Losses;
using MarginFace.Runtime;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface bench heads|train|loader|embed</c>: each suite times its cases (warm-up, then repeated runs; median,
/// spread, peak RSS), prints a table and optionally writes the cases as JSON, with its own options and defaults. The heads
/// suite is here; train (and its leak check) and loader are in <see cref="BenchTrainLoaderOptions"/>, embed in
/// <see cref="BenchEmbedCommand"/>.
/// </summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Time a suite against its limits (heads, train, loader, embed); print a table, optionally write JSON")
    {
        HeadsCommand(),
        TrainOrLoaderCommand(train: true),
        TrainOrLoaderCommand(train: false),
        BenchEmbedCommand.Create(),
        BenchPipelineCommand.Create(),
        BenchServeCommand.Create(),
        BenchGalleryCommand.Create(),
    };

    private static Option<string?> JsonOption() => new("--json") { Description = "also write the cases as a JSON list to this file" };

    private static Command HeadsCommand()
    {
        var compute = new ComputeOptions();
        var json = JsonOption();
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
        var command = new Command("heads", "Time each margin head's forward + backward beside its three matrix products and the seed formulation")
        {
            json, classes, batch, dim, heads, baselines, sampleRates, warmup, repeats, interleave, seed, quick,
        };
        compute.AddTo(command);
        command.SetAction(parse =>
        {
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
            WriteJson(parse, json, BenchmarkReport.ToJson(results));
            return 0;
        });
        return command;
    }

    private static Command TrainOrLoaderCommand(bool train)
    {
        var compute = new ComputeOptions();
        var json = JsonOption();
        var shared = new BenchTrainLoaderOptions.Shared(
            new Option<int>("--batch") { Description = train ? "batch size (default: 256 for clsnet, 32 for the face networks on CPU, 128 on GPU)" : "batch size (default 32)" },
            new Option<string>("--classes") { Description = train ? "classes of the ArcFace head (default: 10 for clsnet, 10,575 for the face networks)" : "classes of the training loop beside the loader (default: as bench train)" },
            new Option<int>("--warmup") { Description = train ? "untimed steps before timing (default 3)" : "untimed runs before timing (default 1)" },
            new Option<int>("--repeats") { Description = train ? "timed steps per network (default 10)" : "timed runs per case (default 3)" },
            new Option<int>("--seed") { Description = "seed of the random weights and inputs", DefaultValueFactory = _ => 0 },
            new Option<bool>("--quick") { Description = "tiny settings, one or two timed runs: checks that the suite runs" });
        var suite = new BenchTrainLoaderOptions(train);
        var command = new Command(train ? "train" : "loader", train
            ? "Time full SGD training steps (forward, ArcFace loss, backward, step) per network; --leak-check watches memory over many steps instead"
            : "Time the training image loader (decode, preprocess, augment) with N workers, alone and while a network trains beside it")
        {
            json, shared.Batch, shared.Classes, shared.Warmup, shared.Repeats, shared.Seed, shared.Quick,
        };
        suite.AddTo(command);
        compute.AddTo(command);
        command.SetAction(parse =>
        {
            var device = compute.Open(parse);
            var results = train
                ? suite.RunTrain(parse, shared, device, System.Console.WriteLine)
                : suite.RunLoader(parse, shared, device, System.Console.WriteLine);
            if (results is not null)
            {
                System.Console.WriteLine();
                System.Console.Write(TrainLoaderReport.Table(results));
                WriteJson(parse, json, BenchmarkReport.ToJson(results));
            }
            else if (suite.LastLeakCheck is { } leak)
                WriteJson(parse, json, System.Text.Json.JsonSerializer.Serialize(leak, LeakJson));
            return 0;
        });
        return command;
    }

    private static void WriteJson(ParseResult parse, Option<string?> json, string text)
    {
        if (parse.GetValue(json) is not string path) return;
        AtomicFile.WriteAllText(path, text);
        System.Console.WriteLine($"wrote {path}");
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
