namespace MarginFace.Tests.Cli;

[Trait("Category", "Integration")]
public class CliModelsTests
{
    [Fact]
    public void ListOnAnEmptyCacheSaysEveryModelIsNotFetched()
    {
        using var cache = new TempDirectory();
        var (exitCode, stdout, stderr) = CliProcess.Run(["models", "list"], new Dictionary<string, string> { ["MARGINFACE_CACHE"] = cache.Path });
        Assert.True(exitCode == 0, stderr);
        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(8, rows.Count);
        Assert.All(rows.Take(7), row => Assert.EndsWith("not fetched", row.TrimEnd()));
        Assert.StartsWith("  libtorch ", rows[7]);
        Assert.Empty(Directory.GetFileSystemEntries(cache.Path));
    }

    [MarginFace.Tests.Interop.FaceApiFact]
    public void FetchFillsTheCacheAndListTellsATamperedFileFromAVerifiedOne()
    {
        using var cache = new TempDirectory();
        var environment = new Dictionary<string, string> { ["MARGINFACE_CACHE"] = cache.Path };
        var fetch = CliProcess.Run(["models", "fetch"], environment);
        Assert.True(fetch.ExitCode == 0, fetch.Stderr);
        Assert.Contains("13.53 MB in ", fetch.Stdout);

        var weights = Path.Combine(cache.Path, "face-api", "ssd_mobilenetv1_model.bin");
        var bytes = File.ReadAllBytes(weights);
        bytes[1000] ^= 1;
        File.WriteAllBytes(weights, bytes);
        var list = CliProcess.Run(["models", "list"], environment);
        Assert.True(list.ExitCode == 0, list.Stderr);
        var rows = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Single(rows, row => row.Contains("digest mismatch"));
        Assert.Contains(rows, row => row.StartsWith("  detector ssd") && row.Contains("digest mismatch"));
        Assert.Equal(6, rows.Count(row => row.TrimEnd().EndsWith("verified")));
    }
}
