using System.Globalization;
using System.Text;
using TorchSharp;
using MarginFace.FaceModels;
using MarginFace.Interop.Onnx;
using MarginFace.Models;
using static TorchSharp.torch;

namespace MarginFace.Benchmarks;

/// <summary>
/// The embed suite: backbone inference, float32 input [B, C, H, W] → embeddings [B, D], for each network, runtime and batch
/// size B. TorchSharp runs the factory backbone in eval mode under no_grad; ONNX Runtime runs the same backbone (same weights)
/// exported by <see cref="OnnxExporter"/>, through <see cref="OnnxFaceModel"/> (all graph optimisations, sequential execution,
/// as many intra-op threads as libtorch has). Inputs are random normal values; preprocessing and image decoding are not
/// timed. Images/s = B / median time. Memory as the heads suite: the resident high-water mark restarted before the case
/// (which includes creating the model or session).
/// </summary>
internal static class EmbedBenchmark
{
    public const string Suite = "embed";

    public const string TorchSharp = "torchsharp";

    public const string OnnxRuntime = "onnxruntime";

    /// <summary>facemobilenet, mobilefacenet, iresnet50, and faceapi-resnet where the factory has it.</summary>
    public static IReadOnlyList<string> DefaultNetworks =>
        [.. new[] { "facemobilenet", "mobilefacenet", "iresnet50", "faceapi-resnet" }.Where(BackboneFactory.Names.Contains)];

    /// <summary>
    /// Runs every case, network by network and batch by batch (each runtime in turn, or with <see cref="EmbedBenchmarkOptions.Interleave"/>
    /// round-robin); <paramref name="progress"/> sees each result as soon as it is measured.
    /// </summary>
    public static IReadOnlyList<BenchmarkResult> Run(EmbedBenchmarkOptions options, Action<BenchmarkResult>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1);
        foreach (var b in options.Batches) ArgumentOutOfRangeException.ThrowIfLessThan(b, 1);
        foreach (var r in options.Runtimes)
            if (r is not (TorchSharp or OnnxRuntime)) throw new ArgumentException($"unknown runtime '{r}'; known: {TorchSharp}, {OnnxRuntime}", nameof(options));
        var networks = (options.Networks ?? DefaultNetworks).Select(BackboneFactory.CheckName).ToList();
        var results = new List<BenchmarkResult>();
        var directory = Directory.CreateTempSubdirectory("marginface-bench-embed-");
        try
        {
            foreach (var network in networks)
            {
                var onnxPath = Path.Combine(directory.FullName, $"{network}.onnx");
                using (var backbone = Create(network, options.Seed))
                    OnnxExporter.Export(backbone.Module, backbone.Spec, onnxPath);
                foreach (var batch in options.Batches)
                {
                    var measured = options.Interleave
                        ? MeasureInterleaved(options, network, onnxPath, batch)
                        : options.Runtimes.Select(runtime => Measure(options, network, onnxPath, batch, runtime));
                    foreach (var result in measured)
                    {
                        results.Add(result);
                        progress?.Invoke(result);
                    }
                }
                File.Delete(onnxPath);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
        return results;
    }

    /// <summary>
    /// One row per case: network, runtime, batch, threads, median and min–max ms, images/s, speed relative to TorchSharp on the
    /// same network and batch (images/s ÷ TorchSharp's), peak RSS MiB.
    /// </summary>
    public static string Table(IReadOnlyList<BenchmarkResult> results)
    {
        var c = CultureInfo.InvariantCulture;
        var rows = new List<string[]> { new[] { "network", "runtime", "B", "threads", "median ms", "min–max ms", "images/s", "× torchsharp", "peak RSS MiB" } };
        foreach (var r in results)
        {
            var torch = results.FirstOrDefault(o => o.Network == r.Network && o.Batch == r.Batch && o.Runtime == TorchSharp);
            var ratio = torch?.ImagesPerSecond is double t && t > 0 && r.ImagesPerSecond is double s ? s / t : (double?)null;
            rows.Add(
            [
                r.Network ?? "", r.Runtime ?? "", r.Batch?.ToString(c) ?? "", r.Threads.ToString(c), r.MedianMs.ToString("0.00", c),
                $"{r.MinMs.ToString("0.00", c)}–{r.MaxMs.ToString("0.00", c)}", r.ImagesPerSecond?.ToString("0.0", c) ?? "",
                ratio?.ToString("0.00", c) ?? "", r.PeakRssMb?.ToString("0", c) ?? "",
            ]);
        }
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(row => row[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
            text.AppendLine(string.Join("  ", row.Select((cell, i) => i <= 1 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
        return text.ToString();
    }

    /// <summary>The factory backbone with seeded weights, in eval mode.</summary>
    private static Backbone Create(string network, int seed)
    {
        manual_seed(seed);
        var backbone = BackboneFactory.Create(network);
        backbone.Module.eval();
        return backbone;
    }

    /// <summary>Random normal values [B, C, H, W], the same for both runtimes.</summary>
    private static float[] Input(int channels, int height, int width, int batch, int seed)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed + 1);
        return randn([batch, channels, height, width], generator: generator).data<float>().ToArray();
    }

    /// <summary>A case ready to time: the step, what to free afterwards, and what the result records.</summary>
    private sealed record Case(string Runtime, Action Step, IDisposable Owner, int Dim, Device Device, int Threads);

    /// <summary>The model or session and its input for one runtime; for TorchSharp the factory backbone with the exported weights' seed.</summary>
    private static Case Setup(EmbedBenchmarkOptions o, string network, string onnxPath, int batch, string runtime)
    {
        if (runtime == OnnxRuntime)
        {
            var model = OnnxFaceModel.Open(onnxPath, threads: o.Threads);
            var i = model.Info;
            var values = Input(i.Channels, i.InputHeight, i.InputWidth, batch, o.Seed);
            return new Case(runtime, () => model.RunBatch(values, batch), model, i.EmbeddingSize, CPU, o.Threads);
        }
        var device = o.Device ?? CPU;
        var backbone = Create(network, o.Seed);
        backbone.Module.to(device);
        var spec = backbone.Spec;
        var x = tensor(Input(spec.Channels, spec.InputHeight, spec.InputWidth, batch, o.Seed), [batch, spec.Channels, spec.InputHeight, spec.InputWidth]).to(device);
        return new Case(runtime, () =>
        {
            using var noGrad = no_grad();
            using var embeddings = backbone.Module.forward(x);
        }, new Owners(backbone, x), spec.EmbeddingSize, device, get_num_threads());
    }

    private sealed class Owners(params IDisposable[] owned) : IDisposable
    {
        public void Dispose()
        {
            foreach (var o in owned) o.Dispose();
        }
    }

    private static BenchmarkResult Measure(EmbedBenchmarkOptions o, string network, string onnxPath, int batch, string runtime)
    {
        var (perCase, before) = Start();
        var c = Setup(o, network, onnxPath, batch, runtime);
        double[] times;
        using (c.Owner)
            times = CaseTimer.Time(c.Step, o.Warmup, o.Repeats, c.Device);
        return Result(o, network, c, batch, times, before, ProcessMemory.PeakSince(before), perCase);
    }

    /// <summary>
    /// Every runtime's case of one network and batch set up together, each warmed up, then timed round-robin, so that a change
    /// in the machine's load falls on each alike; memory is that of the whole group.
    /// </summary>
    private static IEnumerable<BenchmarkResult> MeasureInterleaved(EmbedBenchmarkOptions o, string network, string onnxPath, int batch)
    {
        var (_, before) = Start();
        var cases = new List<Case>();
        var times = o.Runtimes.Select(_ => new double[o.Repeats]).ToArray();
        try
        {
            foreach (var runtime in o.Runtimes) cases.Add(Setup(o, network, onnxPath, batch, runtime));
            foreach (var c in cases) CaseTimer.Time(c.Step, o.Warmup, 1, c.Device);
            for (var r = 0; r < o.Repeats; r++)
                for (var i = 0; i < cases.Count; i++)
                    times[i][r] = CaseTimer.Time(cases[i].Step, 0, 1, cases[i].Device)[0];
        }
        finally
        {
            foreach (var c in cases) c.Owner.Dispose();
        }
        var peak = ProcessMemory.PeakSince(before);
        return cases.Select((c, i) => Result(o, network, c, batch, times[i], before, peak, perCase: false) with { Interleaved = true }).ToList();
    }

    private static (bool PerCase, double? Before) Start()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var perCase = ProcessMemory.ResetPeak();
        return (perCase, ProcessMemory.ResidentMb());
    }

    private static BenchmarkResult Result(EmbedBenchmarkOptions o, string network, Case c, int batch, double[] times, double? before, double? peak, bool perCase)
    {
        var result = BenchmarkResult.Measured(Suite, c.Device.ToString(), c.Threads, o.Warmup, times, before, peak, perCase);
        return result with
        {
            Network = network,
            Runtime = c.Runtime,
            Batch = batch,
            Dim = c.Dim,
            ImagesPerSecond = batch / (result.MedianMs / 1000.0),
        };
    }
}
