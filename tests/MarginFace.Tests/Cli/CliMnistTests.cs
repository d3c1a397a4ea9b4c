using MarginFace.Tests.Mnist;
using MarginFace.Mnist;
using MarginFace.Data;
using MarginFace.Tests.Data;

namespace MarginFace.Tests.Cli;

public class CliMnistTests
{
    [Fact]
    public void CompareWritesAReportWithOnePlotPerLossUsingTheConfigFile()
    {
        using var work = new TempDirectory();
        var config = work.Combine("config.json");
        File.WriteAllText(config, """{ "epochs": 1, "batchSize": 64, "trainLimit": 400, "testLimit": 200, "seed": 5 }""");
        var output = work.Combine("out");

        var (exitCode, stdout, stderr) = CliProcess.Run(["mnist", "--config", config, "--compare", "softmax,arcface,triplet",
            "--data", RealMnist.DataDirectory, "--out", output, "--threads", "2"]);

        Assert.True(exitCode == 0, stderr);
        var html = File.ReadAllText(Path.Combine(output, "report.html"));
        var markdown = File.ReadAllText(Path.Combine(output, "report.md"));
        foreach (var loss in new[] { "softmax", "arcface", "triplet" })
        {
            Assert.True(File.Exists(Path.Combine(output, loss, "features.png")), $"{loss}/features.png");
            Assert.Contains($"({loss}/features.png)", markdown);
            Assert.Contains($"<td>{loss}</td>", html);
            var resolved = File.ReadAllText(Path.Combine(output, loss, "config.json"));
            Assert.Contains("\"BatchSize\": 64", resolved);
        }
        Assert.Equal(3, CountOf(markdown, "/features.png)"));
        Assert.True(File.Exists(Path.Combine(output, "arcface", "features-normalized.png")));
        Assert.Contains("report:", stdout);
    }

    [Fact]
    public void TruncatedDataFileGivesAOneLineErrorNamingIt()
    {
        using var work = new TempDirectory();
        foreach (var name in MnistFileNames.All)
            File.Copy(Path.Combine(RealMnist.DataDirectory, name), work.Combine(name));
        var images = work.Combine(MnistFileNames.TrainImages);
        using (var stream = File.OpenWrite(images)) stream.SetLength(5000);

        var (exitCode, _, stderr) = CliProcess.Run(["mnist", "--data", work.Path, "--out", work.Combine("out")]);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(MnistFileNames.TrainImages, line);
        Assert.Contains("truncated", line);
        Assert.False(Directory.Exists(work.Combine("out")));
    }

    [Fact]
    public void UnknownLossIsRejectedWithTheKnownNames()
    {
        var (exitCode, _, stderr) = CliProcess.Run(["mnist", "--loss", "arcfaec", "--data", RealMnist.DataDirectory, "--out", Path.GetTempPath()]);
        Assert.Equal(1, exitCode);
        Assert.Contains("arcfaec", stderr);
        Assert.Contains("arcface", stderr);
    }

    [Fact]
    public void ALossParameterTheLossDoesNotHaveIsRejectedByName()
    {
        using var work = new TempDirectory();
        var (exitCode, _, stderr) = CliProcess.Run(["mnist", "--loss", "arcface", "--lambda", "0.1", "--data", RealMnist.DataDirectory,
            "--train-limit", "64", "--test-limit", "64", "--epochs", "1", "--out", work.Combine("out")]);
        Assert.Equal(1, exitCode);
        Assert.Contains("lambda", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void NegativeClipNormInTheConfigFileGivesAOneLineError()
    {
        using var work = new TempDirectory();
        var config = work.Combine("config.json");
        File.WriteAllText(config, """{ "loss": "softmax", "gradientClipNorm": -1 }""");
        var (exitCode, _, stderr) = CliProcess.Run(["mnist", "--config", config, "--data", RealMnist.DataDirectory,
            "--train-limit", "64", "--test-limit", "64", "--epochs", "1", "--out", work.Combine("out")]);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--clip-grad", line);
        Assert.False(Directory.Exists(work.Combine("out")));
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;
}
