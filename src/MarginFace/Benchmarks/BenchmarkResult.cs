using System.Text.Json.Serialization;

namespace MarginFace.Benchmarks;

/// <summary>
/// One measured case: its suite and settings, the wall-clock time of one step over <see cref="Repeats"/> timed runs
/// (after <see cref="Warmup"/> untimed ones) as median, min, max and quartiles, and resident memory around it.
/// </summary>
internal sealed record BenchmarkResult
{
    /// <summary>heads, train, embed or loader.</summary>
    public required string Suite { get; init; }

    /// <summary>What was timed in the heads suite: a margin head's name, "gemm" (the three matrix products) or "seed-arcface".</summary>
    public string? Head { get; init; }

    /// <summary>The backbone timed in the embed and train suites, or whose input the loader suite prepares (a name of <see cref="Models.BackboneFactory"/>).</summary>
    public string? Network { get; init; }

    /// <summary>What ran the embed suite's case: torchsharp or onnxruntime (pytorch in bench/pytorch_reference.py).</summary>
    public string? Runtime { get; init; }

    public int? Batch { get; init; }

    public int? Classes { get; init; }

    public int? Dim { get; init; }

    /// <summary>Partial FC's sample rate r, for cases that sample class centres.</summary>
    public double? SampleRate { get; init; }

    public required string Device { get; init; }

    public required int Threads { get; init; }

    public required int Warmup { get; init; }

    public required int Repeats { get; init; }

    public required double MedianMs { get; init; }

    public required double MinMs { get; init; }

    public required double MaxMs { get; init; }

    /// <summary>First quartile of the timed runs (linear interpolation).</summary>
    public required double Q1Ms { get; init; }

    /// <summary>Third quartile of the timed runs (linear interpolation).</summary>
    public required double Q3Ms { get; init; }

    /// <summary>Resident memory just before the case's tensors were made, MiB.</summary>
    public double? RssBeforeMb { get; init; }

    /// <summary>
    /// Highest resident memory during the case (VmHWM after restarting it at the case's start), MiB; process-wide
    /// since start when <see cref="PeakIsPerCase"/> is false.
    /// </summary>
    public double? PeakRssMb { get; init; }

    /// <summary><see cref="PeakRssMb"/> − <see cref="RssBeforeMb"/>: what the case added at its worst, MiB.</summary>
    public double? RssDeltaMb { get; init; }

    /// <summary>Whether <see cref="PeakRssMb"/> covers only this case.</summary>
    public bool PeakIsPerCase { get; init; }

    /// <summary>True when the case was timed round-robin with the others of its group (its memory is the group's).</summary>
    public bool? Interleaved { get; init; }

    /// <summary>Images per second, for suites where it applies.</summary>
    [JsonPropertyName("imagesPerSecond")]
    public double? ImagesPerSecond { get; init; }

    /// <summary>Decoding threads of the loader suite.</summary>
    public int? Workers { get; init; }

    /// <summary>Loader suite: "alone", or "while-training" (the loader and a training loop in one process, timed together).</summary>
    public string? Mode { get; init; }

    /// <summary>Loader suite: what held the images, "folder" (identity folders of files) or "recordio" (the same images packed as InsightFace's train.rec).</summary>
    public string? Data { get; init; }

    /// <summary>While training: the training loop's images/s during the loader's run.</summary>
    public double? TrainingImagesPerSecond { get; init; }

    /// <summary>
    /// A case of <paramref name="suite"/> timed over <paramref name="times"/> (ms per run, after <paramref name="warmup"/> untimed
    /// runs) — median, range and quartiles — with the memory readings of <see cref="ProcessMemory"/>; the case's own settings
    /// are added with <c>with</c>.
    /// </summary>
    public static BenchmarkResult Measured(string suite, string device, int threads, int warmup, IReadOnlyList<double> times,
        double? rssBeforeMb, double? peakRssMb, bool peakIsPerCase) => new()
    {
        Suite = suite,
        Device = device,
        Threads = threads,
        Warmup = warmup,
        Repeats = times.Count,
        MedianMs = CaseTimer.Quantile(times, 0.5),
        MinMs = times.Min(),
        MaxMs = times.Max(),
        Q1Ms = CaseTimer.Quantile(times, 0.25),
        Q3Ms = CaseTimer.Quantile(times, 0.75),
        RssBeforeMb = rssBeforeMb,
        PeakRssMb = peakRssMb,
        RssDeltaMb = peakRssMb - rssBeforeMb,
        PeakIsPerCase = peakIsPerCase,
    };
}
