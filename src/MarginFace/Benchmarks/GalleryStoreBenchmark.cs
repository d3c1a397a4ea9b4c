using System.Diagnostics;
using MarginFace.Galleries;

namespace MarginFace.Benchmarks;

/// <summary>
/// <c>bench gallery --store SPEC</c>: a gallery store end to end, on an empty gallery (refused otherwise, so no real gallery is
/// touched): <c>bulk</c> people of one random 512-d embedding each loaded a thousand per transaction, then <c>single</c> more
/// people enrolled one transaction each (people/s), the search index warmed (LoadIndex), then <c>queries</c> identifications
/// through the gallery's Search (top 5, including its one query for the store's version): p50 and p99 on one thread. With
/// <c>followRounds</c>, another instance then enrols one person at a time and the first search after each is timed (it brings
/// the index up to date), once following the change log and once as before it: every owner re-read and, where the store keeps
/// an index file, the file written again each time.
/// </summary>
internal static class GalleryStoreBenchmark
{
    public static void Run(string spec, int bulk, int single, int queries, int dimension, GallerySearchMode mode, Action<string> log, int followRounds = 0)
    {
        using var gallery = FaceGalleries.Open(spec, create: true);
        if (gallery.Count > 0) throw new MarginFaceException($"{gallery.Path}: bench gallery --store needs an empty gallery; this one holds {gallery.Count} embeddings");
        gallery.SearchMode = mode;
        gallery.SearchThreads = 1;
        var random = new Random(1);
        float[] Vector()
        {
            var v = new float[dimension];
            for (int i = 0; i < dimension; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
            return v;
        }
        string Sha(int i) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));
        var kept = new List<float[]>();
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < bulk; start += 1000)
        {
            var batch = new List<(string, IReadOnlyList<GalleryEntry>)>();
            for (int p = start; p < Math.Min(bulk, start + 1000); p++)
            {
                var v = Vector();
                if (p % Math.Max(1, bulk / 1000) == 0) kept.Add(v);
                batch.Add(($"bulk{p:D8}", [new GalleryEntry(Sha(p), v)]));
            }
            gallery.EnrolAll(batch, "bench-model");
        }
        if (bulk > 0) log($"{gallery.Path}: bulk {bulk} people in {clock.Elapsed.TotalSeconds:0.0} s ({bulk / clock.Elapsed.TotalSeconds:0} people/s, 1000 per transaction)");
        var times = new List<double>();
        for (int p = 0; p < single; p++)
        {
            var v = Vector();
            var started = Stopwatch.GetTimestamp();
            gallery.Enrol($"single{p:D8}", [new GalleryEntry(Sha(bulk + p), v)], "bench-model");
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            kept.Add(v);
        }
        if (single > 0)
            log($"{gallery.Path}: {single} enrolments, one transaction each: {single / (times.Sum() / 1000):0} people/s (p50 {GalleryBenchmark.Percentile(times, 0.5):0.00} ms, p99 {GalleryBenchmark.Percentile(times, 0.99):0.00} ms)");
        clock.Restart();
        gallery.LoadIndex(force: true);
        log($"{gallery.Path}: search index ({mode}) for {gallery.Count} embeddings warmed in {clock.Elapsed.TotalSeconds:0.00} s");
        times.Clear();
        int right = 0;
        for (int q = 0; q < queries; q++)
        {
            var source = kept[q % kept.Count];
            var query = source.Select(x => x + 0.02f * (float)(random.NextDouble() * 2 - 1)).ToArray();
            var started = Stopwatch.GetTimestamp();
            var matches = gallery.Search(query, top: 5);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (matches.Count > 0) right++;
        }
        log($"{gallery.Path}: {queries} identifications (top 5, index warm, 1 thread): p50 {GalleryBenchmark.Percentile(times, 0.5):0.00} ms, p99 {GalleryBenchmark.Percentile(times, 0.99):0.00} ms");
        if (followRounds < 1) return;

        var engine = gallery switch { FaceGallery f => f.Engine, PostgresFaceGallery p => p.Engine, _ => throw new InvalidOperationException("unknown store") };
        using var other = FaceGalleries.Open(spec);
        var enrolled = 0;
        foreach (var (follow, what) in new[] { (true, "following the change log"), (false, "re-reading every owner and writing the index file, as before the log") })
        {
            engine.FollowChangeLog = follow;
            engine.SaveAfterChanges = follow ? null : 0;
            times.Clear();
            for (int r = 0; r < followRounds; r++)
            {
                var v = Vector();
                other.Enrol($"other{enrolled:D8}", [new GalleryEntry(Sha(bulk + single + enrolled++), v)], "bench-model");
                var started = Stopwatch.GetTimestamp();
                gallery.Search(v, top: 5);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            log($"{gallery.Path}: first search after another instance's enrolment, {followRounds} times, {what}: p50 {GalleryBenchmark.Percentile(times, 0.5):0.00} ms, "
                + $"p99 {GalleryBenchmark.Percentile(times, 0.99):0.00} ms (last: {gallery.IndexEvent ?? "exact"})");
        }
    }
}
