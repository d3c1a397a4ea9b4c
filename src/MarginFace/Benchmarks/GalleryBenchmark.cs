using System.Diagnostics;
using MarginFace.Galleries;

namespace MarginFace.Benchmarks;

/// <summary>
/// <c>bench gallery</c>: exact search against the HNSW index on <see cref="Size"/> seeded random unit vectors (or, with
/// <see cref="Base"/>, real embeddings replicated with noise), queried by noisy copies of gallery vectors (a probe of a known
/// person: cosine ≈ 1/√(1 + noise²·D) to its source, 0.7 at the default) or by fresh random vectors. Reports exact p50/p99 on one
/// thread, HNSW build time (<see cref="Threads"/> threads), memory, file size, reload time, and per search expansion ef the
/// p50/p99 on one thread and recall@1 = the share of queries whose HNSW top-1 is the exact top-1. With <see cref="IndexFile"/> the
/// built index is kept there, and a later run with the same data options reopens it instead of building; a build stopped part
/// way goes on from its last saved block (a million realistic vectors take an hour on two cores, random 512-d ones several;
/// the queries are best timed apart, on a quiet machine).
/// </summary>
internal sealed record GalleryBenchmarkOptions(int Size, int Dimension = 512, int Queries = 1000, int RecallQueries = 200, int Threads = 2,
    IReadOnlyList<int>? Expansions = null, float Noise = 0.045f, bool FreshQueries = false, int Seed = 1, float[][]? Base = null, string? Folder = null, bool SkipHnsw = false,
    int Connectivity = HnswIndex.Connectivity, int ExpansionAdd = HnswIndex.ExpansionAdd, Cloud.Unum.USearch.ScalarKind Quantization = HnswIndex.Quantization,
    string? IndexFile = null, float? QueryNoise = null, int CheckpointRows = 100_000);

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
            (index, buildSeconds) = Build(options, matrix, expansions[0], log);
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
            if (options.IndexFile is { } done) { File.Delete(done + ".building"); File.Delete(done + ".building.txt"); }
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

    /// <summary>
    /// Adds the rows in blocks of <see cref="GalleryBenchmarkOptions.CheckpointRows"/>. With an index file, each finished block
    /// is saved as <c>FILE.building</c> with <c>FILE.building.txt</c> (rows added, seconds and CPU seconds spent, the options that
    /// made the data), so a build stopped part way (a million random 512-d vectors take hours on two cores) goes on from its
    /// last block in a later run with the same options; the build time reported is the sum over the runs.
    /// </summary>
    private static (HnswIndex Index, double Seconds) Build(GalleryBenchmarkOptions options, float[] matrix, int expansionSearch, Action<string> log)
    {
        int n = options.Size, d = options.Dimension;
        var fingerprint = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"size {n} dim {d} threads {options.Threads} seed {options.Seed} noise {options.Noise} base {options.Base?.Length ?? 0} M {options.Connectivity} ef_add {options.ExpansionAdd} {options.Quantization}");
        string? checkpoint = options.IndexFile is { } kept ? kept + ".building" : null;
        HnswIndex? index = null;
        long start = 0;
        double earlierSeconds = 0, earlierCpu = 0;
        if (checkpoint is not null && File.Exists(checkpoint) && File.Exists(checkpoint + ".txt"))
        {
            var lines = File.ReadAllLines(checkpoint + ".txt");
            if (lines.Length == 4 && lines[0] == fingerprint
                && long.TryParse(lines[1], System.Globalization.CultureInfo.InvariantCulture, out start)
                && double.TryParse(lines[2], System.Globalization.CultureInfo.InvariantCulture, out earlierSeconds)
                && double.TryParse(lines[3], System.Globalization.CultureInfo.InvariantCulture, out earlierCpu))
            {
                index = HnswIndex.Load(checkpoint, d, expansionSearch, options.ExpansionAdd, options.Quantization);
                if (index.Count != start) { index.Dispose(); throw new MarginFaceException($"{checkpoint}: {index.Count} vectors, its record says {start}"); }
                log($"hnsw: going on from {checkpoint}: {start} of {n} added in {earlierSeconds:0} s ({earlierCpu:0} s of CPU) by earlier runs");
            }
            else
            {
                log($"hnsw: {checkpoint} was made with other options ({(lines.Length > 0 ? lines[0] : "no record")}); building afresh");
                start = 0;
                earlierSeconds = earlierCpu = 0;
            }
        }
        index ??= HnswIndex.Create(d, expansionSearch, options.Connectivity, options.ExpansionAdd, options.Quantization);
        var build = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        index.Reserve(n);
        var block = Math.Max(1, options.CheckpointRows);
        for (var from = start; from < n; from += block)
        {
            var to = Math.Min(n, from + block);
            index.AddReserved(from, to, options.Threads, row => row, row => matrix.AsSpan((int)(row * d), d));
            var seconds = earlierSeconds + build.Elapsed.TotalSeconds;
            var cpu = earlierCpu + Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpuBefore;
            log($"  built {to} of {n} in {seconds:0} s ({cpu:0} s of CPU)");
            if (checkpoint is not null && to < n)
            {
                index.Save(checkpoint + ".part");
                File.Move(checkpoint + ".part", checkpoint, overwrite: true);
                var record = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{fingerprint}\n{to}\n{seconds:R}\n{cpu:R}\n");
                File.WriteAllText(checkpoint + ".txt.part", record);
                File.Move(checkpoint + ".txt.part", checkpoint + ".txt", overwrite: true);
            }
        }
        var total = earlierSeconds + build.Elapsed.TotalSeconds;
        log($"hnsw: built {n} (M {options.Connectivity}, ef_add {options.ExpansionAdd}, {options.Quantization}) on {options.Threads} threads in {total:0.0} s; "
            + $"{earlierCpu + Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpuBefore:0} s of CPU{(start > 0 ? $" (this run went on from {start})" : "")}");
        return (index, total);
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
