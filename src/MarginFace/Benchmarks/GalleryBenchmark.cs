using System.Diagnostics;
using MarginFace.Galleries;

namespace MarginFace.Benchmarks;

/// <summary>
/// <c>bench gallery</c>: exact search against the HNSW index on <see cref="Size"/> seeded random unit vectors (or, with
/// <see cref="Base"/>, real embeddings replicated with noise), queried by noisy copies of gallery vectors (a probe of a known
/// person: cosine ≈ 1/√(1 + noise²·D) to its source, 0.7 at the default) or by fresh random vectors. Reports exact p50/p99 on one
/// thread, HNSW build time (<see cref="Threads"/> threads), memory, file size, reload time, and per search expansion ef the
/// p50/p99 on one thread and recall@1 = the share of queries whose HNSW top-1 is the exact top-1. With <see cref="IndexFile"/> the
/// built index is kept there, and a later run with the same data options reopens it instead of building (a million vectors
/// take most of an hour on two cores; the queries are best timed apart, on a quiet machine).
/// </summary>
internal sealed record GalleryBenchmarkOptions(int Size, int Dimension = 512, int Queries = 1000, int RecallQueries = 200, int Threads = 2,
    IReadOnlyList<int>? Expansions = null, float Noise = 0.045f, bool FreshQueries = false, int Seed = 1, float[][]? Base = null, string? Folder = null, bool SkipHnsw = false,
    int Connectivity = HnswIndex.Connectivity, int ExpansionAdd = HnswIndex.ExpansionAdd, Cloud.Unum.USearch.ScalarKind Quantization = HnswIndex.Quantization,
    string? IndexFile = null, float? QueryNoise = null);

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
            else Noisy(random, matrix.AsSpan(random.Next(n) * d, d).ToArray(), options.QueryNoise ?? options.Noise, queries[q]);
            Normalise(queries[q]);
        }
        log($"data: {n} × {d} ({(options.Base is null ? "random unit vectors" : $"{options.Base.Length} real embeddings + noise {options.Noise}")}), {queries.Length} {(options.FreshQueries ? "fresh random" : $"noisy-copy (noise {options.QueryNoise ?? options.Noise})")} queries");

        var owners = Enumerable.Range(0, n).ToArray();
        var names = owners.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var exact = new GalleryIndex(matrix, owners, names, d);
        var truth = new int[Math.Min(options.RecallQueries, queries.Length)];
        var truthSimilarity = new float[truth.Length];
        var exactTimes = new List<double>();
        for (int q = 0; q < truth.Length; q++)
        {
            var start = Stopwatch.GetTimestamp();
            var best = exact.Search(queries[q], 1, -1, threads: 1);
            exactTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            truth[q] = int.Parse(best[0].Name, System.Globalization.CultureInfo.InvariantCulture);
            truthSimilarity[q] = best[0].Similarity;
        }
        var (exactP50, exactP99) = (Percentile(exactTimes, 0.5), Percentile(exactTimes, 0.99));
        log($"exact: {truth.Length} queries on 1 thread: p50 {exactP50:0.00} ms, p99 {exactP99:0.00} ms");
        if (options.SkipHnsw) return new GalleryBenchmarkResult(n, d, exactP50, exactP99, null, null, null, null, ProcessMemory.PeakResidentMb(), []);

        var expansions = options.Expansions ?? [HnswIndex.DefaultExpansionSearch];
        double? buildSeconds = null, fileMb = null, reloadSeconds = null;
        HnswIndex index;
        if (options.IndexFile is { } kept && File.Exists(kept))
        {
            var reload = Stopwatch.StartNew();
            index = HnswIndex.Load(kept, d, expansions[0]);
            reloadSeconds = reload.Elapsed.TotalSeconds;
            fileMb = new FileInfo(kept).Length / 1048576.0;
            if (index.Count != n) { index.Dispose(); throw new MarginFaceException($"{kept}: an index of {index.Count} vectors, --size is {n}"); }
            log($"hnsw: reopened {kept} ({n} vectors, {fileMb:0} MiB) in {reloadSeconds:0.00} s; its build time is in the run that wrote it");
        }
        else
        {
            var build = Stopwatch.StartNew();
            index = HnswIndex.Create(d, expansions[0], options.Connectivity, options.ExpansionAdd, options.Quantization);
            index.Reserve(n);
            var done = 0L;
            Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, row =>
            {
                index.AddReserved(row, matrix.AsSpan(row * d, d));
                var count = Interlocked.Increment(ref done);
                if (count % 100_000 == 0) log($"  built {count} of {n} in {build.Elapsed.TotalSeconds:0} s");
            });
            buildSeconds = build.Elapsed.TotalSeconds;
            log($"hnsw: built {n} (M {options.Connectivity}, ef_add {options.ExpansionAdd}, {options.Quantization}) on {options.Threads} threads in {buildSeconds:0.0} s; "
                + $"{Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:0} s of CPU in the process so far");
            var file = options.IndexFile ?? Path.Combine(options.Folder ?? Path.GetTempPath(), $"bench-gallery-{Environment.ProcessId}.hnsw");
            try
            {
                var partial = file + ".part";
                index.Save(partial);
                File.Move(partial, file, overwrite: true);
                fileMb = new FileInfo(file).Length / 1048576.0;
                var reload = Stopwatch.StartNew();
                using (var reopened = HnswIndex.Load(file, d)) { }
                reloadSeconds = reload.Elapsed.TotalSeconds;
                log($"hnsw: file {fileMb:0} MiB, reloaded in {reloadSeconds:0.00} s{(options.IndexFile is null ? "" : $"; kept as {file}")}");
            }
            finally
            {
                if (options.IndexFile is null) File.Delete(file);
            }
        }
        using var owned = index;
        var memoryMb = index.MemoryBytes / 1048576.0;
        log($"hnsw: USearch memory {memoryMb:0} MiB");

        var results = new List<(int, double, double, double)>();
        var keys = new long[1];
        var similarities = new float[1];
        foreach (var ef in expansions)
        {
            index.ExpansionSearch = ef;
            var times = new List<double>(queries.Length);
            int right = 0;
            var worst = 0.0;
            for (int q = 0; q < queries.Length; q++)
            {
                var start = Stopwatch.GetTimestamp();
                index.Search(queries[q], keys, similarities);
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (q < truth.Length && keys[0] == truth[q])
                {
                    right++;
                    worst = Math.Max(worst, Math.Abs(similarities[0] - truthSimilarity[q]));
                }
            }
            var recall = (double)right / truth.Length;
            results.Add((ef, Percentile(times, 0.5), Percentile(times, 0.99), recall));
            log($"hnsw ef {ef}: {queries.Length} queries on 1 thread: p50 {Percentile(times, 0.5):0.000} ms, p99 {Percentile(times, 0.99):0.000} ms; recall@1 {recall:0.000} ({right}/{truth.Length}); "
                + $"largest |index cosine − exact cosine| of a right top-1 {worst:0.0e0}");
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
