using System.Globalization;
using System.Text;

namespace MarginFace.Benchmarks;

/// <summary>Plain-text table of train and loader cases: network, mode, workers, shape, time per step or batch, images/s, memory.</summary>
internal static class TrainLoaderReport
{
    public static string Table(IReadOnlyList<BenchmarkResult> results)
    {
        var c = CultureInfo.InvariantCulture;
        var rows = new List<string[]>
        {
            new[] { "suite", "network", "mode", "workers", "B", "C", "threads", "median ms", "min–max ms", "images/s", "training images/s", "peak RSS MiB", "Δ RSS MiB" },
        };
        foreach (var r in results)
            rows.Add(new[]
            {
                r.Suite, r.Network ?? "", r.Data is "recordio" ? $"{r.Mode} (recordio)" : r.Mode ?? "", r.Workers?.ToString(c) ?? "", r.Batch?.ToString(c) ?? "", r.Classes?.ToString("N0", c) ?? "",
                r.Threads.ToString(c), r.MedianMs.ToString("0.0", c), $"{r.MinMs.ToString("0.0", c)}–{r.MaxMs.ToString("0.0", c)}",
                r.ImagesPerSecond?.ToString("0.0", c) ?? "", r.TrainingImagesPerSecond?.ToString("0.0", c) ?? "",
                r.PeakRssMb?.ToString("0", c) ?? "", r.RssDeltaMb?.ToString("0", c) ?? "",
            });
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(row => row[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
            text.AppendLine(string.Join("  ", row.Select((cell, i) => i <= 2 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
        return text.ToString();
    }
}
