using System.Globalization;
using System.Text;
using MarginFace.Inference;
using MarginFace.Interop.Onnx;
using MarginFace.Models;
using TorchSharp;
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
public static class EmbedBenchmark
{
    public const string Suite = "embed";

    public const string TorchSharp = "torchsharp";

    public const string OnnxRuntime = "onnxruntime";

    /// <summary>facemobilenet, mobilefacenet, iresnet50, and faceapi-resnet where the factory has it.</summary>
    public static IReadOnlyList<string> DefaultNetworks =>
        [.. new[] { "facemobilenet", "mobilefacenet", "iresnet50", "faceapi-resnet" }.Where(BackboneFactory.Names.Contains)];

    /// <summary>Runs every case, network by network; <paramref name="progress"/> sees each result as soon as it is measured.</summary>
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
                foreach (var runtime in options.Runtimes)
                    foreach (var batch in options.Batches)
                    {
                        var result = runtime == TorchSharp ? MeasureTorch(options, network, batch) : MeasureOnnx(options, network, onnxPath, batch);
                        results.Add(result);
                        progress?.Invoke(result);
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

    private static BenchmarkResult MeasureTorch(EmbedBenchmarkOptions o, string network, int batch)
    {
        var (perCase, before) = Start();
        var device = o.Device ?? CPU;
        double[] times;
        int dim;
        using (var backbone = Create(network, o.Seed))
        using (var scope = NewDisposeScope())
        {
            backbone.Module.to(device);
            var spec = backbone.Spec;
            dim = spec.EmbeddingSize;
            var x = tensor(Input(spec.Channels, spec.InputHeight, spec.InputWidth, batch, o.Seed), [batch, spec.Channels, spec.InputHeight, spec.InputWidth]).to(device);
            times = CaseTimer.Time(() =>
            {
                using var noGrad = no_grad();
                using var embeddings = backbone.Module.forward(x);
            }, o.Warmup, o.Repeats, device);
        }
        return Result(o, network, TorchSharp, batch, dim, device.ToString(), get_num_threads(), times, before, perCase);
    }

    private static BenchmarkResult MeasureOnnx(EmbedBenchmarkOptions o, string network, string onnxPath, int batch)
    {
        var (perCase, before) = Start();
        double[] times;
        int dim;
        using (var model = OnnxFaceModel.Open(onnxPath, threads: o.Threads))
        {
            var i = model.Info;
            dim = i.EmbeddingSize;
            var x = Input(i.Channels, i.InputHeight, i.InputWidth, batch, o.Seed);
            times = CaseTimer.Time(() => model.RunBatch(x, batch), o.Warmup, o.Repeats, CPU);
        }
        return Result(o, network, OnnxRuntime, batch, dim, "cpu", o.Threads, times, before, perCase);
    }

    private static (bool PerCase, double? Before) Start()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var perCase = ProcessMemory.ResetPeak();
        return (perCase, ProcessMemory.ResidentMb());
    }

    private static BenchmarkResult Result(EmbedBenchmarkOptions o, string network, string runtime, int batch, int dim, string device, int threads,
        double[] times, double? before, bool perCase)
    {
        var peak = ProcessMemory.PeakSince(before);
        var median = CaseTimer.Quantile(times, 0.5);
        return new BenchmarkResult
        {
            Suite = Suite,
            Network = network,
            Runtime = runtime,
            Batch = batch,
            Dim = dim,
            Device = device,
            Threads = threads,
            Warmup = o.Warmup,
            Repeats = o.Repeats,
            MedianMs = median,
            MinMs = times.Min(),
            MaxMs = times.Max(),
            Q1Ms = CaseTimer.Quantile(times, 0.25),
            Q3Ms = CaseTimer.Quantile(times, 0.75),
            RssBeforeMb = before,
            PeakRssMb = peak,
            RssDeltaMb = peak - before,
            PeakIsPerCase = perCase,
            ImagesPerSecond = batch / (median / 1000.0),
        };
    }
}
