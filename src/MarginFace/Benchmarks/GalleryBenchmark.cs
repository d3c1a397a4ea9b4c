using System.Diagnostics;
using MarginFace.Galleries;

namespace MarginFace.Benchmarks;

/// <summary>
/// <c>bench gallery</c>: exact search against the HNSW index on <see cref="Size"/> seeded random unit vectors (or, with
/// <see cref="Base"/>, real embeddings replicated with noise), queried by noisy copies of gallery vectors (a probe of a known
/// person: cosine ≈ 1/√(1 + noise²·D) to its source, 0.7 at the default) or by fresh random vectors. Reports exact p50/p99 on one
/// thread, HNSW build time (<see cref="Threads"/> threads), memory, file size, reload time, and per search expansion ef the
/// p50/p99 on one thread and recall@1 = the share of queries whose HNSW top-1 is the exact top-1.
/// </summary>
internal sealed record GalleryBenchmarkOptions(int Size, int Dimension = 512, int Queries = 1000, int RecallQueries = 200, int Threads = 2,
    IReadOnlyList<int>? Expansions = null, float Noise = 0.045f, bool FreshQueries = false, int Seed = 1, float[][]? Base = null, string? Folder = null, bool SkipHnsw = false,
    int Connectivity = HnswIndex.Connectivity, int ExpansionAdd = HnswIndex.ExpansionAdd);

/// <summary>What <see cref="GalleryBenchmark.Run"/> measured (milliseconds, MiB, seconds).</summary>
internal sealed record GalleryBenchmarkResult(int Size, int Dimension, double ExactP50Ms, double ExactP99Ms, double? BuildSeconds, double? IndexMemoryMb,
    double? FileMb, double? ReloadSeconds, double? PeakRssMb, IReadOnlyList<(int Expansion, double P50Ms, double P99Ms, double Recall)> Hnsw);

/// <summary>Runs <see cref="GalleryBenchmarkOptions"/>.</summary>
internal static class GalleryBenchmark
{
    public static GalleryBenchmarkResult Run(GalleryBenchmarkOptions options, Action<string> log)
    {
        int n = options.Size, d = options.Dimension;
        if ((long)n * d > Array.MaxLength) throw new MarginFaceException($"--size {n} × --dim {d} does not fit in one array");
        var random = new Random(options.Seed);
        var matrix = new float[(long)n * d];
        Parallel.For(0, Math.Max(1, options.Threads), part =>
        {
            var local = new Random(options.Seed * 7919 + part);
            for (long row = (long)n * part / options.Threads; row < (long)n * (part + 1) / options.Threads; row++)
            {
                var target = matrix.AsSpan((int)(row * d), d);
                if (options.Base is { } bases) { Noisy(local, bases[row % bases.Length], options.Noise, target); }
                else Gaussian(local, target);
                Normalise(target);
            }
        });
        var queries = new float[options.Queries][];
        for (int q = 0; q < queries.Length; q++)
        {
            queries[q] = new float[d];
            if (options.FreshQueries) Gaussian(random, queries[q]);
            else Noisy(random, matrix.AsSpan(random.Next(n) * d, d).ToArray(), options.Noise, queries[q]);
            Normalise(queries[q]);
        }
        log($"data: {n} × {d} ({(options.Base is null ? "random unit vectors" : $"{options.Base.Length} real embeddings + noise {options.Noise}")}), {queries.Length} {(options.FreshQueries ? "fresh random" : $"noisy-copy (noise {options.Noise})")} queries");

        var owners = Enumerable.Range(0, n).ToArray();
        var names = owners.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var exact = new GalleryIndex(matrix, owners, names, d);
        var truth = new int[Math.Min(options.RecallQueries, queries.Length)];
        var exactTimes = new List<double>();
        for (int q = 0; q < truth.Length; q++)
        {
            var start = Stopwatch.GetTimestamp();
            var best = exact.Search(queries[q], 1, -1, threads: 1);
            exactTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            truth[q] = int.Parse(best[0].Name, System.Globalization.CultureInfo.InvariantCulture);
        }
        var (exactP50, exactP99) = (Percentile(exactTimes, 0.5), Percentile(exactTimes, 0.99));
        log($"exact: {truth.Length} queries on 1 thread: p50 {exactP50:0.00} ms, p99 {exactP99:0.00} ms");
        if (options.SkipHnsw) return new GalleryBenchmarkResult(n, d, exactP50, exactP99, null, null, null, null, ProcessMemory.PeakResidentMb(), []);

        var expansions = options.Expansions ?? [HnswIndex.DefaultExpansionSearch];
        var build = Stopwatch.StartNew();
        using var index = HnswIndex.Create(d, expansions[0], options.Connectivity, options.ExpansionAdd);
        index.Reserve(n);
        var done = 0L;
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, row =>
        {
            index.AddReserved(row, matrix.AsSpan(row * d, d));
            var count = Interlocked.Increment(ref done);
            if (count % 100_000 == 0) log($"  built {count} of {n} in {build.Elapsed.TotalSeconds:0} s");
        });
        var buildSeconds = build.Elapsed.TotalSeconds;
        var memoryMb = index.MemoryBytes / 1048576.0;
        log($"hnsw: built {n} (M {options.Connectivity}, ef_add {options.ExpansionAdd}) on {options.Threads} threads in {buildSeconds:0.0} s; USearch memory {memoryMb:0} MiB");
        double? fileMb = null, reloadSeconds = null;
        var folder = options.Folder ?? Path.GetTempPath();
        var file = Path.Combine(folder, $"bench-gallery-{Environment.ProcessId}.hnsw");
        try
        {
            index.Save(file);
            fileMb = new FileInfo(file).Length / 1048576.0;
            var reload = Stopwatch.StartNew();
            using (var reopened = HnswIndex.Load(file, d)) { }
            reloadSeconds = reload.Elapsed.TotalSeconds;
            log($"hnsw: file {fileMb:0} MiB, reloaded in {reloadSeconds:0.00} s");
        }
        finally
        {
            File.Delete(file);
        }

        var results = new List<(int, double, double, double)>();
        var keys = new long[1];
        var similarities = new float[1];
        foreach (var ef in expansions)
        {
            index.ExpansionSearch = ef;
            var times = new List<double>(queries.Length);
            int right = 0;
            for (int q = 0; q < queries.Length; q++)
            {
                var start = Stopwatch.GetTimestamp();
                index.Search(queries[q], keys, similarities);
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (q < truth.Length && keys[0] == truth[q]) right++;
            }
            var recall = (double)right / truth.Length;
            results.Add((ef, Percentile(times, 0.5), Percentile(times, 0.99), recall));
            log($"hnsw ef {ef}: {queries.Length} queries on 1 thread: p50 {Percentile(times, 0.5):0.000} ms, p99 {Percentile(times, 0.99):0.000} ms; recall@1 {recall:0.000} ({right}/{truth.Length})");
        }
        return new GalleryBenchmarkResult(n, d, exactP50, exactP99, buildSeconds, memoryMb, fileMb, reloadSeconds, ProcessMemory.PeakResidentMb(), results);
    }

    /// <summary>The value below which <paramref name="quantile"/> of <paramref name="values"/> lie (nearest rank).</summary>
    public static double Percentile(List<double> values, double quantile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static void Gaussian(Random random, Span<float> target)
    {
        for (int i = 0; i < target.Length; i++) target[i] = (float)random.NextGaussian();
    }

    private static void Noisy(Random random, float[] source, float noise, Span<float> target)
    {
        var scale = MathF.Sqrt(GalleryIndex.Dot(source, source));
        for (int i = 0; i < target.Length; i++) target[i] = source[i] / scale + noise * (float)random.NextGaussian();
    }

    private static void Normalise(Span<float> v)
    {
        var norm = MathF.Sqrt(GalleryIndex.Dot(v, v));
        for (int i = 0; i < v.Length; i++) v[i] /= norm;
    }

    private static double NextGaussian(this Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
