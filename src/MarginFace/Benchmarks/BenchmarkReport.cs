using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.Json;
using System.Text;

namespace MarginFace.Benchmarks;

/// <summary>Writes measured cases as a JSON list and as a plain-text table with ratios to the limit and the seed formulation.</summary>
internal static class BenchmarkReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public static string ToJson(IEnumerable<BenchmarkResult> results) => JsonSerializer.Serialize(results.ToList(), Json);

    public static IReadOnlyList<BenchmarkResult> FromJson(string json) =>
        JsonSerializer.Deserialize<List<BenchmarkResult>>(json, Json) ?? [];

    /// <summary>
    /// One row per case: median and min–max in ms, × gemm and × seed (median over the median of the "gemm" and
    /// "seed-arcface" cases of the same suite and shape), peak RSS and its rise over the case's start, MiB.
    /// </summary>
    public static string Table(IReadOnlyList<BenchmarkResult> results)
    {
        var c = CultureInfo.InvariantCulture;
        var rows = new List<string[]>
        {
            new[] { "suite", "case", "B", "C", "D", "r", "threads", "median ms", "min–max ms", "× gemm", "× seed", "peak RSS MiB", "Δ RSS MiB" },
        };
        foreach (var r in results)
        {
            double? Ratio(string baseline)
            {
                var b = results.FirstOrDefault(o => o.Suite == r.Suite && o.Head == baseline && o.Batch == r.Batch
                    && o.Classes == r.Classes && o.Dim == r.Dim && o.Device == r.Device);
                return b is null || b.MedianMs <= 0 ? null : r.MedianMs / b.MedianMs;
            }
            rows.Add(new[]
            {
                r.Suite, r.Head ?? "", r.Batch?.ToString(c) ?? "", r.Classes?.ToString("N0", c) ?? "", r.Dim?.ToString(c) ?? "",
                r.SampleRate?.ToString("0.###", c) ?? "", r.Threads.ToString(c),
                r.MedianMs.ToString("0.0", c), $"{r.MinMs.ToString("0.0", c)}–{r.MaxMs.ToString("0.0", c)}",
                Ratio(HeadBenchmark.GemmCase)?.ToString("0.00", c) ?? "", Ratio(HeadBenchmark.SeedCase)?.ToString("0.00", c) ?? "",
                r.PeakRssMb?.ToString("0", c) ?? "", r.RssDeltaMb?.ToString("0", c) ?? "",
            });
        }
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(row => row[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
            text.AppendLine(string.Join("  ", row.Select((cell, i) => i <= 1 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
        return text.ToString();
    }
}
