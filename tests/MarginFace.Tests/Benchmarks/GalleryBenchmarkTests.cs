using MarginFace.Benchmarks;
using MarginFace.Tests.Support;

namespace MarginFace.Tests.Benchmarks;

public class GalleryBenchmarkTests
{
    private sealed class StopHere : Exception;

    /// <summary>Options for 600 16-d vectors kept in FOLDER/gallery.hnsw, saved every 200, after a first run that stopped as it reported its second block.</summary>
    private static GalleryBenchmarkOptions StoppedAfterTheFirstBlock(string folder, int queries)
    {
        var options = new GalleryBenchmarkOptions(600, Dimension: 16, Queries: queries, RecallQueries: queries, Threads: 1, Expansions: [64],
            IndexFile: Path.Combine(folder, "gallery.hnsw"), CheckpointRows: 200);
        Assert.Throws<StopHere>(() => GalleryBenchmark.Run(options, line => { if (line.Contains("built 400 of 600")) throw new StopHere(); }));
        return options;
    }

    [Fact]
    public void ABuildStoppedAfterABlockGoesOnFromItsLastSavedBlockAndCountsTheEarlierTime()
    {
        using var folder = new TempDirectory();
        // The first run stopped as it reported the second block: the first block was saved, the second was not.
        var options = StoppedAfterTheFirstBlock(folder.Path, queries: 60);
        var file = options.IndexFile!;
        Assert.False(File.Exists(file));
        var record = File.ReadAllLines(file + ".building.txt");
        Assert.Equal("200", record[1]);

        var log = new List<string>();
        var result = GalleryBenchmark.Run(options, log.Add);
        Assert.Contains(log, line => line.StartsWith("hnsw: going on from ") && line.Contains("200 of 600 added"));
        Assert.Contains(log, line => line.Contains("built 400 of 600"));
        Assert.Contains(log, line => line.Contains("(this run went on from 200)"));
        Assert.True(result.BuildSeconds >= double.Parse(record[2], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(File.Exists(file));
        Assert.False(File.Exists(file + ".building"));
        Assert.False(File.Exists(file + ".building.txt"));
        var (_, _, _, recall) = Assert.Single(result.Hnsw);
        Assert.True(recall >= 0.95, $"recall@1 {recall}");

        using var index = MarginFace.Galleries.HnswIndex.Load(file, 16);
        Assert.Equal(600, index.Count);
    }

    [Fact]
    public void TheStoreBenchmarkTimesSearchesAfterAnotherInstancesEnrolmentsWithTheLogAndWithoutAndRefusesAFullGallery()
    {
        using var folder = new TempDirectory();
        var path = Path.Combine(folder.Path, "bench.db");
        var log = new List<string>();
        GalleryStoreBenchmark.Run(path, bulk: 300, single: 5, queries: 10, dimension: 8, MarginFace.Galleries.GallerySearchMode.Approximate, log.Add, followRounds: 3);
        Assert.Contains(log, line => line.Contains("3 times, following the change log") && line.EndsWith("(last: updated from 1 change (+1 -0))"));
        Assert.Contains(log, line => line.Contains("3 times, re-reading every owner") && line.EndsWith("(last: updated (+1 -0))"));
        var full = Assert.Throws<MarginFaceException>(() => GalleryStoreBenchmark.Run(path, 1, 0, 1, 8, MarginFace.Galleries.GallerySearchMode.Auto, _ => { }));
        Assert.Contains("needs an empty gallery; this one holds 311 embeddings", full.Message);
    }

    [Fact]
    public void ASavedBlockOfOtherOptionsIsNotUsed()
    {
        using var folder = new TempDirectory();
        var options = StoppedAfterTheFirstBlock(folder.Path, queries: 20);
        var file = options.IndexFile!;

        var log = new List<string>();
        GalleryBenchmark.Run(options with { ExpansionAdd = 100 }, log.Add);
        Assert.Contains(log, line => line.Contains("was made with other options") && line.Contains("building afresh"));
        Assert.DoesNotContain(log, line => line.Contains("going on from"));
        using var index = MarginFace.Galleries.HnswIndex.Load(file, 16);
        Assert.Equal(600, index.Count);
    }
}
