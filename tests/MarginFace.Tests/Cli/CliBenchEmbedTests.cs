using System.Text.Json;

namespace MarginFace.Tests.Cli;

[Trait("Category", "Integration")]
public class CliBenchEmbedTests
{
    [Fact]
    public void QuickEmbedBenchTimesBothRuntimesAtEachBatchAndWritesImagesPerSecond()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("embed.json");
        var (exitCode, stdout, stderr) = CliProcess.Run(["bench", "embed", "--quick", "--threads", "1", "--json", path]);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("× torchsharp", stdout);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var cases = document.RootElement.EnumerateArray().ToArray();
        Assert.Equal([("torchsharp", 1), ("onnxruntime", 1), ("torchsharp", 2), ("onnxruntime", 2)],
            cases.Select(c => (c.GetProperty("runtime").GetString()!, c.GetProperty("batch").GetInt32())));
        foreach (var c in cases)
        {
            Assert.Equal("embed", c.GetProperty("suite").GetString());
            Assert.Equal("mobilefacenet", c.GetProperty("network").GetString());
            Assert.Equal(128, c.GetProperty("dim").GetInt32());
            Assert.Equal(1, c.GetProperty("threads").GetInt32());
            var median = c.GetProperty("medianMs").GetDouble();
            Assert.True(median > 0);
            Assert.Equal(c.GetProperty("batch").GetInt32() / (median / 1000), c.GetProperty("imagesPerSecond").GetDouble(), 6);
            Assert.True(c.GetProperty("peakRssMb").GetDouble() >= c.GetProperty("rssBeforeMb").GetDouble());
        }
    }

    [Fact]
    public void AnUnknownNetworkOrRuntimeIsAOneLineErrorNamingTheOption()
    {
        foreach (var (args, message) in new[] { (new[] { "--networks", "resnet9000" }, "--networks: unknown backbone 'resnet9000'"), (["--runtimes", "tensorflow"], "--runtimes: unknown runtime 'tensorflow'") })
        {
            var (exitCode, _, stderr) = CliProcess.Run(["bench", "embed", "--quick", "--threads", "1", .. args]);
            Assert.Equal(1, exitCode);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal($"error: {message}", line[..(message.Length + 7)]);
        }
    }
}
