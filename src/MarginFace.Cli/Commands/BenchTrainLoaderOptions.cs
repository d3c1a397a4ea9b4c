using System.CommandLine;
using System.Globalization;
using TorchSharp;
using MarginFace.Benchmarks;

namespace MarginFace.Cli.Commands;

/// <summary>
/// The options and actions of <c>bench train</c> (with <c>--leak-check</c>) or of <c>bench loader</c>; the options both share
/// with <c>bench heads</c> (<c>--batch</c>, <c>--classes</c>, <c>--warmup</c>, <c>--repeats</c>, <c>--seed</c>, <c>--quick</c>) are
/// in <see cref="Shared"/>, and count here only when given (each suite has its own defaults).
/// </summary>
internal sealed class BenchTrainLoaderOptions
{
    private const string LfwFolder = "lfw/lfw-deepfunneled";

    private readonly bool train;
    private readonly Option<string?> networks;
    private readonly Option<bool> leakCheck = new("--leak-check") { Description = "instead of timing, run --steps steps of the first network (default clsnet) and report RSS and live tensors every --sample-every steps" };
    private readonly Option<string?> precision = new("--precision") { Description = "fp32, bf16 or fp16: the backbones' arithmetic, as train --precision (default fp32)" };
    private readonly Option<int> steps = new("--steps") { Description = "--leak-check: steps after the warm-up", DefaultValueFactory = _ => 1000 };
    private readonly Option<int> sampleEvery = new("--sample-every") { Description = "--leak-check: steps between readings", DefaultValueFactory = _ => 50 };
    private readonly Option<double> leakTolerance = new("--leak-tolerance") { Description = "--leak-check: largest RSS slope still called flat, MiB per 100 steps", DefaultValueFactory = _ => LeakCheck.DefaultToleranceMbPer100Steps };
    private readonly Option<string?> images = new("--images") { Description = $"identity folder of images (default: shared/data/{LfwFolder} above the current directory)" };
    private readonly Option<string> workers = new("--workers") { Description = "comma-separated decoding worker counts", DefaultValueFactory = _ => "1,2" };
    private readonly Option<int> imagesPerRun = new("--images-per-run") { Description = "images read by each timed run", DefaultValueFactory = _ => 1024 };
    private readonly Option<bool> noTraining = new("--no-training") { Description = "skip the cases with a training loop running beside the loader" };
    private readonly Option<bool> recordIo = new("--recordio") { Description = "also time each case on the same images packed as InsightFace RecordIO (train.rec, in a temporary folder)" };

    /// <param name="train">The options of <c>bench train</c>; false: those of <c>bench loader</c>.</param>
    public BenchTrainLoaderOptions(bool train)
    {
        this.train = train;
        networks = new("--networks")
        {
            Description = train
                ? $"comma-separated networks of {string.Join(", ", TrainBenchmark.Known)} (default: {string.Join(", ", TrainBenchmark.Networks)})"
                : $"the network whose input is prepared and trained beside the loader: one of {string.Join(", ", TrainBenchmark.Networks)} (default mobilefacenet)",
        };
    }

    public void AddTo(Command command)
    {
        command.Add(networks);
        foreach (var option in train ? new Option[] { precision, leakCheck, steps, sampleEvery, leakTolerance } : [images, workers, imagesPerRun, noTraining, recordIo])
            command.Add(option);
    }

    /// <summary>The options every bench suite has, as this suite reads them.</summary>
    public sealed record Shared(Option<int> Batch, Option<string> Classes, Option<int> Warmup, Option<int> Repeats, Option<int> Seed, Option<bool> Quick);

    /// <summary>Runs <c>bench train</c>; returns the cases measured (none for the leak check, which prints its own table).</summary>
    public IReadOnlyList<BenchmarkResult>? RunTrain(ParseResult parse, Shared shared, torch.Device device, Action<string> print)
    {
        var o = TrainOptions(parse, shared, device);
        var quick = parse.GetValue(shared.Quick);
        if (parse.GetValue(leakCheck))
        {
            var network = parse.GetResult(networks) is { Implicit: false } ? o.Networks[0] : "clsnet";
            var count = quick ? 20 : Positive(parse.GetValue(steps), "--steps", 2);
            var every = quick ? 5 : Positive(parse.GetValue(sampleEvery), "--sample-every", 1);
            if (every > count) throw new MarginFaceException($"--sample-every: {every} is more than --steps {count}");
            var tolerance = parse.GetValue(leakTolerance);
            if (!(tolerance >= 0) || !double.IsFinite(tolerance)) throw new MarginFaceException($"--leak-tolerance: expected 0 or a positive number, got {tolerance}");
            var c = TrainBenchmark.Case(network, o, device);
            print($"bench train --leak-check: {c.Network} + {c.HeadLabel}, B {c.Batch}, C {c.Classes}; warm-up {Math.Max(LeakCheck.MinWarmup, o.Warmup)} step(s), then {count} steps, RSS read every {every}");
            var result = LeakCheck.Run(c, o, count, every, tolerance, s => print($"  step {s.Step,5}: RSS {s.RssMb,8:0.0} MiB, .NET heap committed {s.ManagedCommittedMb,7:0.0} MiB, live tensors {s.LiveTensors}"));
            print($"RSS at start {result.StartRssMb:0.0} MiB, at end {result.EndRssMb:0.0} MiB ({result.EndRssMb - result.StartRssMb:+0.0;-0.0} MiB), slope {result.RobustSlopeMbPer100Steps:0.000} MiB per 100 steps (Theil–Sen; least squares {result.SlopeMbPer100Steps:0.000}; tolerance {tolerance:0.###}); live tensors {result.StartLiveTensors} → {result.EndLiveTensors}; {result.SecondsPerStep * 1000:0.0} ms per step");
            print(result.Leaking ? "LEAK: memory grows with the step count" : "flat: no leak within the tolerance");
            LastLeakCheck = result;
            return null;
        }
        print($"bench train: {string.Join(", ", o.Networks)}; warm-up {o.Warmup} step(s), {o.Repeats} timed step(s) each; SGD momentum 0.9 on one synthetic batch");
        return TrainBenchmark.Run(o, r => print($"  {r.Network} + {r.Head} B={r.Batch} C={r.Classes}: median {r.MedianMs:0.0} ms ({r.MinMs:0.0}–{r.MaxMs:0.0}), {r.ImagesPerSecond:0.0} images/s, peak RSS {r.PeakRssMb:0} MiB"));
    }

    /// <summary>The leak check of the last <see cref="RunTrain"/> with <c>--leak-check</c>.</summary>
    public LeakCheckResult? LastLeakCheck { get; private set; }

    /// <summary>Runs <c>bench loader</c>.</summary>
    public IReadOnlyList<BenchmarkResult> RunLoader(ParseResult parse, Shared shared, torch.Device device, Action<string> print)
    {
        var quick = parse.GetValue(shared.Quick);
        var training = TrainOptions(parse, shared, device);
        var network = parse.GetResult(networks) is { Implicit: false } ? training.Networks.Single() : "mobilefacenet";
        var folder = parse.GetValue(images) ?? FindLfw()
            ?? throw new MarginFaceException($"bench loader: no --images given and shared/data/{LfwFolder} not found above {Directory.GetCurrentDirectory()}; give --images DIR");
        if (!Directory.Exists(folder)) throw new MarginFaceException($"{folder}: directory not found");
        var batch = Given(parse, shared.Batch) ? Positive(parse.GetValue(shared.Batch), "--batch", 1) : quick ? 4 : 32;
        var options = new LoaderBenchmarkOptions
        {
            Images = folder,
            Network = network,
            Workers = ParseInts(parse.GetValue(workers)!, "--workers"),
            Batch = batch,
            ImagesPerRun = quick ? 2 * batch : Positive(parse.GetValue(imagesPerRun), "--images-per-run", 1),
            Warmup = Given(parse, shared.Warmup) ? training.Warmup : quick ? 0 : 1,
            Repeats = Given(parse, shared.Repeats) ? training.Repeats : quick ? 1 : 3,
            WhileTraining = !parse.GetValue(noTraining),
            RecordIo = parse.GetValue(recordIo),
            Training = training,
            Seed = parse.GetValue(shared.Seed),
            Device = device,
        };
        print($"bench loader: {folder}, {network} input, B {options.Batch}, workers {string.Join(", ", options.Workers)}; {options.Repeats} timed run(s) of {options.ImagesPerRun} images{(options.WhileTraining ? "; alone, then while training" : "")}{(options.RecordIo ? "; from the folder, then from the same images packed as RecordIO" : "")}");
        return LoaderBenchmark.Run(options, r => print($"  {r.Mode}, {r.Data}, {r.Workers} worker(s): {r.ImagesPerSecond:0.0} images/s (median {r.MedianMs:0.0} ms per batch, {r.MinMs:0.0}–{r.MaxMs:0.0})" +
            (r.TrainingImagesPerSecond is double t ? $"; training beside it {t:0.0} images/s" : "")));
    }

    private TrainBenchmarkOptions TrainOptions(ParseResult parse, Shared shared, torch.Device device)
    {
        var quick = parse.GetValue(shared.Quick);
        var names = parse.GetValue(networks) is string spec
            ? spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).ToArray()
            : TrainBenchmark.Networks.ToArray();
        if (names.Length == 0) throw new MarginFaceException($"--networks: expected a comma-separated list, got '{parse.GetValue(networks)}'");
        foreach (var n in names)
            if (!TrainBenchmark.Known.Contains(n))
                throw new MarginFaceException($"--networks: unknown network '{n}'; known: {string.Join(", ", TrainBenchmark.Known)}");
        int? classes = null;
        if (Given(parse, shared.Classes))
        {
            var text = parse.GetValue(shared.Classes)!.Trim();
            classes = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c >= 2 ? c
                : throw new MarginFaceException($"--classes: expected one whole number of classes, at least 2, got '{text}'");
        }
        var warmup = parse.GetValue(shared.Warmup);
        if (warmup < 0) throw new MarginFaceException($"--warmup: expected 0 or a positive number, got {warmup}");
        return new TrainBenchmarkOptions
        {
            Networks = names,
            Batch = Given(parse, shared.Batch) ? Positive(parse.GetValue(shared.Batch), "--batch", 2) : quick ? 4 : null,
            Classes = classes ?? (quick ? 16 : null),
            Warmup = Given(parse, shared.Warmup) ? warmup : quick ? 1 : 3,
            Repeats = Given(parse, shared.Repeats) ? Positive(parse.GetValue(shared.Repeats), "--repeats", 1) : quick ? 2 : 10,
            Seed = parse.GetValue(shared.Seed),
            Device = device,
            Precision = parse.GetValue(precision) is string precisionText ? PrecisionOption.Parse(precisionText, "--precision") : Training.TrainingPrecision.Fp32,
        };
    }

    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    private static int Positive(int value, string name, int least) =>
        value >= least ? value : throw new MarginFaceException($"{name}: expected at least {least}, got {value}");

    private static int[] ParseInts(string spec, string option)
    {
        var parts = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new MarginFaceException($"{option}: expected a comma-separated list, got '{spec}'");
        return parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1 ? v
            : throw new MarginFaceException($"{option}: '{p}' is not a positive whole number")).ToArray();
    }

    private static string? FindLfw()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", LfwFolder);
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
