using TorchSharp;
using MarginFace.Losses;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MarginFace.Benchmarks;

/// <summary>
/// The heads suite: forward + backward (cross-entropy included) of each margin head on random x [B,D] (requiring a
/// gradient, as a backbone's output does), labels [B] and W [C,D]; beside it the limit, the three matrix products
/// x·Wᵀ [B,C], G·W [B,D] and Gᵀ·x [C,D] alone, the seed formulation (<see cref="SeedArcFace"/>), and optionally
/// Partial FC with ArcFace's margin at given sample rates (the sampling included in the time).
/// </summary>
internal static class HeadBenchmark
{
    public const string Suite = "heads";

    /// <summary>Case name of the three matrix products.</summary>
    public const string GemmCase = "gemm";

    /// <summary>Case name of Partial FC with ArcFace's margin (<see cref="PartialFcClassifier"/>).</summary>
    public const string PartialFcCase = "partialfc-arcface";

    /// <summary>Case name of the seed formulation.</summary>
    public const string SeedCase = "seed-arcface";

    /// <summary>Runs every case; <paramref name="progress"/> sees each result as soon as it is measured.</summary>
    public static IReadOnlyList<BenchmarkResult> Run(HeadBenchmarkOptions options, Action<BenchmarkResult>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Batch < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Batch, "batch must be at least 1.");
        if (options.Dim < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Dim, "dim must be at least 1.");
        foreach (var c in options.Classes)
            if (c < 1) throw new ArgumentOutOfRangeException(nameof(options), c, "classes must be at least 1.");
        var results = new List<BenchmarkResult>();
        void Add(BenchmarkResult r)
        {
            results.Add(r);
            progress?.Invoke(r);
        }
        foreach (var classes in options.Classes)
        {
            var cases = new List<(string Name, double? Rate, StepFactory Factory)>();
            if (options.Baselines)
            {
                cases.Add((GemmCase, null, GemmStep));
                cases.Add((SeedCase, null, SeedStep));
            }
            foreach (var name in options.Heads)
                cases.Add((name, null, (x, y, c) => HeadStep(name, x, y, c)));
            foreach (var rate in options.SampleRates)
                cases.Add((PartialFcCase, rate, (x, y, c) => PartialFcStep(rate, options.Seed, x, y, c)));
            if (options.Interleave)
                foreach (var r in MeasureInterleaved(options, classes, cases)) Add(r);
            else
                foreach (var (name, rate, factory) in cases) Add(Measure(options, name, classes, rate, factory));
        }
        return results;
    }

    /// <summary>
    /// All cases of one class count set up together, each warmed up, then timed round-robin (case 1, case 2, …, case 1,
    /// …), so that a change in the machine's load falls on every case alike; memory is that of the whole group.
    /// </summary>
    private static IEnumerable<BenchmarkResult> MeasureInterleaved(HeadBenchmarkOptions o, int classes,
        List<(string Name, double? Rate, StepFactory Factory)> cases)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ProcessMemory.ResetPeak();
        var before = ProcessMemory.ResidentMb();
        var device = o.Device ?? CPU;
        var times = cases.Select(_ => new double[o.Repeats]).ToArray();
        using (var scope = NewDisposeScope())
        {
            manual_seed(o.Seed);
            var x = randn(o.Batch, o.Dim, device: device).requires_grad_(true);
            var labels = randint(0, classes, [o.Batch], dtype: ScalarType.Int64, device: device);
            var steps = cases.Select(c => c.Factory(x, labels, classes)).ToList();
            try
            {
                foreach (var (step, _) in steps) CaseTimer.Time(step, o.Warmup, 1, device);
                for (var r = 0; r < o.Repeats; r++)
                    for (var i = 0; i < steps.Count; i++)
                        times[i][r] = CaseTimer.Time(steps[i].Step, 0, 1, device)[0];
            }
            finally
            {
                foreach (var (_, owner) in steps) owner.Dispose();
            }
        }
        var peak = ProcessMemory.PeakSince(before);
        return cases.Select((c, i) => Result(o, c.Name, classes, c.Rate, device, times[i], before, peak, perCase: false) with { Interleaved = true }).ToList();
    }

    /// <summary>Makes a step from the case's inputs; the returned action is timed and the disposable freed afterwards.</summary>
    private delegate (Action Step, IDisposable Owner) StepFactory(Tensor x, Tensor labels, int classes);

    private static BenchmarkResult Measure(HeadBenchmarkOptions o, string name, int classes, double? rate, StepFactory factory)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var perCase = ProcessMemory.ResetPeak();
        var before = ProcessMemory.ResidentMb();
        var device = o.Device ?? CPU;
        double[] times;
        using (var scope = NewDisposeScope())
        {
            manual_seed(o.Seed);
            var x = randn(o.Batch, o.Dim, device: device).requires_grad_(true);
            var labels = randint(0, classes, [o.Batch], dtype: ScalarType.Int64, device: device);
            var (step, owner) = factory(x, labels, classes);
            using (owner)
                times = CaseTimer.Time(step, o.Warmup, o.Repeats, device);
        }
        var peak = ProcessMemory.PeakSince(before);
        return Result(o, name, classes, rate, device, times, before, peak, perCase);
    }

    private static BenchmarkResult Result(HeadBenchmarkOptions o, string name, int classes, double? rate, Device device,
        double[] times, double? before, double? peak, bool perCase) =>
        BenchmarkResult.Measured(Suite, device.ToString(), get_num_threads(), o.Warmup, times, before, peak, perCase) with
        {
            Head = name,
            Batch = o.Batch,
            Classes = classes,
            Dim = o.Dim,
            SampleRate = rate,
        };

    private static (Action, IDisposable) GemmStep(Tensor x, Tensor labels, int classes)
    {
        var weight = randn(classes, x.shape[1], device: x.device);
        var xd = x.detach();
        var g = randn(x.shape[0], weight.shape[0], device: x.device);
        return (() =>
        {
            using var noGrad = no_grad();
            using var logits = xd.mm(weight.t());
            using var gradX = g.mm(weight);
            using var gradW = g.t().mm(xd);
        }, g);
    }

    private static (Action, IDisposable) SeedStep(Tensor x, Tensor labels, int classes)
    {
        var w = randn(classes, x.shape[1], device: x.device).requires_grad_(true);
        return (() =>
        {
            using var scope = NewDisposeScope();
            x.grad?.zero_();
            w.grad = null;
            SeedArcFace.Loss(x, w, labels).backward();
        }, w);
    }

    private static (Action, IDisposable) HeadStep(string name, Tensor x, Tensor labels, int classes)
    {
        var head = MarginHeadFactory.Create(name, (int)x.shape[1], classes);
        head.to(x.device);
        head.train();
        return (() =>
        {
            using var scope = NewDisposeScope();
            head.zero_grad();
            x.grad?.zero_();
            var logits = head.forward(x, labels);
            var loss = F.cross_entropy(logits, labels);
            if (head.AuxiliaryLoss is { } aux) loss = loss + aux;
            loss.backward();
        }, head);
    }

    private static (Action, IDisposable) PartialFcStep(double rate, int seed, Tensor x, Tensor labels, int classes)
    {
        var classifier = new PartialFcClassifier((int)x.shape[1], classes, new ArcFaceHead(1, 1), rate, seed);
        classifier.to(x.device);
        classifier.train();
        return (() =>
        {
            using var scope = NewDisposeScope();
            classifier.zero_grad();
            x.grad?.zero_();
            classifier.forward(x, labels).backward();
        }, classifier);
    }
}
