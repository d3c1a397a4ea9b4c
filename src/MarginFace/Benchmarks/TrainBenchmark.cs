using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Benchmarks;

/// <summary>
/// The train suite: full training steps (copy of the batch to the device, forward, margin-head loss, backward, SGD with
/// momentum 0.9) through the library's <see cref="Training.Trainer"/> on one synthetic batch, so no data loading is timed:
/// the MNIST network (clsnet, 2-d features, ArcFace s = 16, m = 0.3 as in the MNIST recipe, 10 classes, B = 256) and the
/// face networks facemobilenet and mobilefacenet with ArcFace (s = 64, m = 0.5) over 10,575 classes (B = 32 on the CPU,
/// 128 on CUDA). Warm-up steps, then timed steps: median and spread, images/s = B / median, peak RSS.
/// </summary>
internal static class TrainBenchmark
{
    public const string Suite = "train";

    /// <summary>The networks of the suite, in order.</summary>
    public static IReadOnlyList<string> Networks { get; } = ["clsnet", "facemobilenet", "mobilefacenet"];

    /// <summary>Every network a case can be made of: the suite's, <c>mobilefacenet64</c>, <c>mobilefacenet96</c> and <c>iresnet50</c> (timed only when asked for).</summary>
    public static IReadOnlyList<string> Known { get; } = [.. Networks, "mobilefacenet64", "mobilefacenet96", "iresnet50"];

    /// <summary>The case of <paramref name="network"/> with the options' overrides applied.</summary>
    public static TrainBenchmarkCase Case(string network, TrainBenchmarkOptions options, Device device)
    {
        var name = network.Trim().ToLowerInvariant();
        if (!Known.Contains(name))
            throw new ArgumentException($"unknown network '{network}'; known: {string.Join(", ", Known)}", nameof(network));
        var cuda = device.type == DeviceType.CUDA;
        return name == "clsnet"
            ? new TrainBenchmarkCase(name, "arcface", new Dictionary<string, double> { ["s"] = 16, ["m"] = 0.3 }, options.Batch ?? 256, options.Classes ?? 10)
            : new TrainBenchmarkCase(name, "arcface", new Dictionary<string, double> { ["s"] = 64, ["m"] = 0.5 }, options.Batch ?? (cuda ? 128 : 32), options.Classes ?? 10_575);
    }

    /// <summary>Times every network of <paramref name="options"/>; <paramref name="progress"/> sees each result when measured.</summary>
    public static IReadOnlyList<BenchmarkResult> Run(TrainBenchmarkOptions options, Action<BenchmarkResult>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Batch is < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Batch, "batch must be at least 1.");
        if (options.Classes is < 2) throw new ArgumentOutOfRangeException(nameof(options), options.Classes, "classes must be at least 2.");
        ArgumentOutOfRangeException.ThrowIfNegative(options.Warmup);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Repeats, 1);
        var device = options.Device ?? CPU;
        var cases = options.Networks.Select(n => Case(n, options, device)).ToList();
        var results = new List<BenchmarkResult>();
        foreach (var c in cases)
        {
            var result = Measure(c, options, device);
            results.Add(result);
            progress?.Invoke(result);
        }
        return results;
    }

    private static BenchmarkResult Measure(TrainBenchmarkCase c, TrainBenchmarkOptions o, Device device)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var perCase = ProcessMemory.ResetPeak();
        var before = ProcessMemory.ResidentMb();
        var clock = new StepClock();
        using (var run = new BenchTrainingRun(c, o.LearningRate, o.Seed, device, o.Precision))
            run.Fit(o.Warmup + o.Repeats, clock);
        var peak = ProcessMemory.PeakSince(before);
        var result = Result(c, device, o.Warmup, clock.StepMs.Skip(o.Warmup).ToArray(), before, peak, perCase);
        return o.Precision == Training.TrainingPrecision.Fp32 ? result : result with { Network = $"{c.Network}/{o.Precision.ToString().ToLowerInvariant()}" };
    }

    internal static BenchmarkResult Result(TrainBenchmarkCase c, Device device, int warmup, double[] times, double? before, double? peak, bool perCase)
    {
        var result = BenchmarkResult.Measured(Suite, device.ToString(), get_num_threads(), warmup, times, before, peak, perCase);
        return result with
        {
            Network = c.Network,
            Head = c.Head,
            Batch = c.Batch,
            Classes = c.Classes,
            ImagesPerSecond = result.MedianMs > 0 ? c.Batch * 1000.0 / result.MedianMs : null,
        };
    }
}
