using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Benchmarks;

/// <summary>
/// Runs many training steps of one train-suite case (<see cref="TrainBenchmark"/>) and reads the process's resident set
/// (VmRSS) and the training thread's live tensors (TorchSharp's dispose-scope statistics) every few steps from the end of the
/// warm-up on, each reading after a full garbage collection. Memory that grows with the step count is a leak: a tensor
/// made every step and never disposed.
/// </summary>
internal static class LeakCheck
{
    /// <summary>The default tolerance: 1 MiB per 100 steps (10 MiB over 1,000), far below one leaked activation per step.</summary>
    public const double DefaultToleranceMbPer100Steps = 1.0;

    /// <summary>
    /// Steps before the first reading, at least: the first steps make what lives on (gradients, the optimiser's momentum,
    /// the allocator's pools), measured as 19 more live tensors after step 2 of clsnet than after step 1.
    /// </summary>
    public const int MinWarmup = 10;

    public static LeakCheckResult Run(TrainBenchmarkCase c, TrainBenchmarkOptions options, int steps, int sampleEvery,
        double toleranceMbPer100Steps = DefaultToleranceMbPer100Steps, Action<LeakSample>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleEvery, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleEvery, steps);
        if (ProcessMemory.ResidentMb() is null) throw new PlatformNotSupportedException("the leak check reads /proc/self/status (Linux only).");
        var device = options.Device ?? CPU;
        var warmup = Math.Max(MinWarmup, options.Warmup);
        var samples = new List<LeakSample>();
        void Read(int step)
        {
            // Each training step runs in a no-collection span (NoCollectionSpan), whose garbage waits for the next collection:
            // up to the span's budget of dead .NET objects would read as growth. Collect it first, between steps.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var sample = new LeakSample(step, ProcessMemory.ResidentMb()!.Value, DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount,
                GC.GetGCMemoryInfo().TotalCommittedBytes / (double)(1 << 20));
            samples.Add(sample);
            progress?.Invoke(sample);
        }
        var clock = new StepClock
        {
            AfterStep = done =>
            {
                var step = done - warmup;
                if (step >= 0 && (step % sampleEvery == 0 || step == steps)) Read(step);
            },
        };
        using (var run = new BenchTrainingRun(c, options.LearningRate, options.Seed, device, options.Precision))
            run.Fit(warmup + steps, clock, cancellation);
        if (samples.Count < 2 || samples[^1].Step != steps) throw new OperationCanceledException("the leak check was stopped before its last step.");
        return new LeakCheckResult
        {
            Network = c.Network,
            Head = c.Head,
            Batch = c.Batch,
            Classes = c.Classes,
            Device = device.ToString(),
            Threads = get_num_threads(),
            Warmup = warmup,
            Steps = steps,
            SampleEvery = sampleEvery,
            Samples = samples,
            SlopeMbPer100Steps = 100 * Slope(samples.Select(s => (double)s.Step).ToArray(), samples.Select(s => s.RssMb).ToArray()),
            RobustSlopeMbPer100Steps = 100 * TheilSenSlope(samples.Select(s => (double)s.Step).ToArray(), samples.Select(s => s.RssMb).ToArray()),
            ToleranceMbPer100Steps = toleranceMbPer100Steps,
            SecondsPerStep = CaseTimer.Quantile(clock.StepMs.Skip(warmup).ToArray(), 0.5) / 1000,
        };
    }

    /// <summary>
    /// Theil–Sen slope (Sen 1968): the median of (y_j − y_i)/(x_j − x_i) over all pairs i &lt; j with x_i ≠ x_j. A reading
    /// taken while the allocator holds a step's temporaries moves it little, where it tilts the least-squares line.
    /// </summary>
    public static double TheilSenSlope(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count || x.Count < 2) throw new ArgumentException("need at least two (x, y) pairs of equal count.");
        var slopes = new List<double>();
        for (int i = 0; i < x.Count; i++)
            for (int j = i + 1; j < x.Count; j++)
                if (x[j] != x[i]) slopes.Add((y[j] - y[i]) / (x[j] - x[i]));
        return slopes.Count == 0 ? 0 : CaseTimer.Quantile(slopes, 0.5);
    }

    /// <summary>Least-squares slope of y over x: Σ(x − x̄)(y − ȳ) / Σ(x − x̄)².</summary>
    public static double Slope(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count || x.Count < 2) throw new ArgumentException("need at least two (x, y) pairs of equal count.");
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }
}
