using MarginFace.Benchmarks;

namespace MarginFace.Tests.Benchmarks;

/// <summary><c>bench loader --recordio</c>: every case is timed on the folder and on the same images packed as RecordIO, and the packed copy is removed.</summary>
public class LoaderBenchmarkRecordIoTests : TorchTest
{
    [Fact]
    public void EachCaseIsTimedOnTheFolderThenOnItsRecordIoCopy()
    {
        using var temp = new TempDirectory();
        var faces = FaceFolder.Write(temp, identities: 4, images: 4, size: 160); // the loader crops center:150
        var before = Directory.GetDirectories(Path.GetTempPath(), "marginface-bench-rec-*").Length;
        var results = LoaderBenchmark.Run(new LoaderBenchmarkOptions
        {
            Images = faces, Workers = [1, 2], Batch = 4, ImagesPerRun = 8, Warmup = 0, Repeats = 1, WhileTraining = false, RecordIo = true,
        });
        Assert.Equal(["folder/1", "recordio/1", "folder/2", "recordio/2"], results.Select(r => $"{r.Data}/{r.Workers}"));
        Assert.All(results, r => Assert.True(r.ImagesPerSecond > 0));
        Assert.Contains("alone (recordio)", TrainLoaderReport.Table(results));
        Assert.Equal(before, Directory.GetDirectories(Path.GetTempPath(), "marginface-bench-rec-*").Length);
    }
}
