using System.Text.Json;

namespace MarginFace.Tests.Cli;

[Trait("Category", "Integration")]
public class CliBenchTrainLoaderTests
{
    [Fact]
    public void QuickTrainBenchWritesOneCasePerNetworkWithImagesPerSecond()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "train.json");
        var (exitCode, stdout, stderr) = CliProcess.Run(["bench", "train", "--quick", "--threads", "1", "--json", path]);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("images/s", stdout);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var cases = document.RootElement.EnumerateArray().ToArray();
        Assert.Equal(["clsnet", "facemobilenet", "mobilefacenet"], cases.Select(c => c.GetProperty("network").GetString()!));
        foreach (var c in cases)
        {
            Assert.Equal("train", c.GetProperty("suite").GetString());
            Assert.Equal("arcface", c.GetProperty("head").GetString());
            Assert.Equal(4, c.GetProperty("batch").GetInt32());
            Assert.Equal(16, c.GetProperty("classes").GetInt32());
            var median = c.GetProperty("medianMs").GetDouble();
            Assert.Equal(4 * 1000 / median, c.GetProperty("imagesPerSecond").GetDouble(), 6);
            Assert.True(c.GetProperty("peakRssMb").GetDouble() > 10);
        }
    }

    [Fact]
    public void QuickLeakCheckReportsRssAtStartAndEndAndItsSlope()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "leak.json");
        var (exitCode, stdout, stderr) = CliProcess.Run(["bench", "train", "--leak-check", "--quick", "--threads", "1", "--json", path]);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("MiB per 100 steps", stdout);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        Assert.Equal("clsnet", root.GetProperty("network").GetString());
        Assert.Equal(20, root.GetProperty("steps").GetInt32());
        Assert.Equal(5, root.GetProperty("samples").GetArrayLength());
        Assert.True(root.GetProperty("endRssMb").GetDouble() > 10);
        Assert.Equal(root.GetProperty("startLiveTensors").GetInt64(), root.GetProperty("endLiveTensors").GetInt64());
    }

    [SharedDataFact("data/lfw/lfw-deepfunneled")]
    public void QuickLoaderBenchReadsLfwAloneAndWhileTraining()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "loader.json");
        var (exitCode, _, stderr) = CliProcess.Run(["bench", "loader", "--quick", "--threads", "1", "--workers", "1", "--images", SharedData.LfwImagesDirectory, "--json", path]);
        Assert.True(exitCode == 0, stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var cases = document.RootElement.EnumerateArray().ToArray();
        Assert.Equal(["alone", "while-training"], cases.Select(c => c.GetProperty("mode").GetString()!));
        Assert.All(cases, c => Assert.Equal("mobilefacenet", c.GetProperty("network").GetString()));
        Assert.All(cases, c => Assert.True(c.GetProperty("imagesPerSecond").GetDouble() > 0));
        Assert.True(cases[1].GetProperty("trainingImagesPerSecond").GetDouble() > 0);
    }

    [Theory]
    [InlineData("train", "--networks", "resnet", "--networks: unknown network 'resnet'")]
    [InlineData("train", "--classes", "10,20", "--classes: expected one whole number")]
    [InlineData("loader", "--workers", "0", "--workers: '0' is not a positive whole number")]
    [InlineData("loader", "--images", "/nonexistent/faces", "/nonexistent/faces: directory not found")]
    public void ABadTrainOrLoaderOptionIsAOneLineError(string suite, string option, string value, string message)
    {
        var (exitCode, _, stderr) = CliProcess.Run(["bench", suite, "--quick", "--threads", "1", option, value]);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line);
    }
}
