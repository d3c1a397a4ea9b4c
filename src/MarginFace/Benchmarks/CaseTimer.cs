using System.Diagnostics;
using TorchSharp;

namespace MarginFace.Benchmarks;

/// <summary>Times one step: warm-up runs untimed, then each timed run on its own (synchronised on CUDA).</summary>
internal static class CaseTimer
{
    /// <summary>Milliseconds of each timed run of <paramref name="step"/>, in run order.</summary>
    public static double[] Time(Action step, int warmup, int repeats, torch.Device device)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (warmup < 0) throw new ArgumentOutOfRangeException(nameof(warmup), warmup, "warmup must be ≥ 0.");
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "repeats must be ≥ 1.");
        var cuda = device.type == DeviceType.CUDA;
        for (var i = 0; i < warmup; i++)
        {
            step();
            if (cuda) torch.cuda.synchronize(device);
        }
        var times = new double[repeats];
        for (var i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            step();
            if (cuda) torch.cuda.synchronize(device);
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        return times;
    }

    /// <summary>The q-quantile (0 ≤ q ≤ 1) of <paramref name="values"/> by linear interpolation between order statistics.</summary>
    public static double Quantile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0) throw new ArgumentException("values must not be empty.", nameof(values));
        var sorted = values.Order().ToArray();
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}
