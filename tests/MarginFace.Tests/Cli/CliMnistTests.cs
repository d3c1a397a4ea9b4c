using MarginFace.Mnist;
using MarginFace.Tests.Mnist;

namespace MarginFace.Tests.Cli;

[Trait("Category", "Integration")]
public class CliMnistTests
{
    [Fact]
    public void CompareWritesAReportWithOnePlotPerLossUsingTheConfigFile()
    {
        using var work = new TempDirectory();
        var config = work.Combine("config.json");
        File.WriteAllText(config, """{ "epochs": 1, "batchSize": 64, "trainLimit": 400, "testLimit": 200, "seed": 5 }""");
        var output = work.Combine("out");
        var data = SyntheticMnist.WriteSeparable(work.Combine("data"), trainCount: 400, testCount: 200);

        var (exitCode, stdout, stderr) = CliProcess.Run(["mnist", "--config", config, "--compare", "softmax,arcface,triplet",
            "--data", data, "--out", output, "--threads", "2"]);

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
        SyntheticMnist.WriteSeparable(work.Path, trainCount: 100, testCount: 20);
        var images = work.Combine(MnistFileNames.TrainImages);
        using (var stream = File.OpenWrite(images)) stream.SetLength(5000);
        Assert.True(new FileInfo(images).Length == 5000);

        var (exitCode, _, stderr) = CliProcess.Run(["mnist", "--data", work.Path, "--out", work.Combine("out")]);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(MnistFileNames.TrainImages, line);
        Assert.Contains("truncated", line);
        Assert.False(Directory.Exists(work.Combine("out")));
    }

    /// <summary>The data directory does not exist: a mistake found before the data is read is reported, not the missing data.</summary>
    private static readonly string NoData = Path.Combine(Path.GetTempPath(), "marginface-no-such-data-" + Guid.NewGuid().ToString("N"));

    private static string OnlyLine(string stderr) => Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    [Theory]
    [InlineData("--loss", "arcfaec", "--loss arcfaec: unknown loss 'arcfaec'; known: softmax, modified")]
    [InlineData("--network", "resnet", "--network: unknown network 'resnet'; known: clsnet, lenetpp")]
    [InlineData("--lambda", "0.1", "--loss softmax: Unknown parameter 'lambda' for head 'softmax'; known: none.")]
    [InlineData("--lr", "-1", "--lr: expected a positive number, got -1")]
    [InlineData("--weight-decay", "-0.5", "--weight-decay: expected 0 or a positive number, got -0.5")]
    [InlineData("--shift", "-2", "--shift: expected 0 or a positive number, got -2")]
    [InlineData("--clip-grad", "-1", "--clip-grad: expected a finite number ≥ 0 (0: no clipping), got -1")]
    public void AMistakeIsOneLineBeforeAnyDataIsRead(string option, string value, string message)
    {
        var (exitCode, _, stderr) = CliProcess.Run(["mnist", option, value, "--data", NoData, "--out", Path.Combine(NoData, "out")]);
        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: " + message, OnlyLine(stderr));
        Assert.False(Directory.Exists(NoData));
    }

    [Theory]
    [InlineData("--lr", "-1", "learningRate", "-1")]
    [InlineData("--weight-decay", "-0.5", "weightDecay", "-0.5")]
    [InlineData("--shift", "-2", "shift", "-2")]
    [InlineData("--loss", "arcfaec", "loss", "\"arcfaec\"")]
    public void AConfigFileValueGivesTheSameLineAsTheCommandLine(string option, string value, string key, string json)
    {
        using var work = new TempDirectory();
        var config = work.Combine("config.json");
        File.WriteAllText(config, $$"""{ "{{key}}": {{json}} }""");
        var fromCommandLine = CliProcess.Run(["mnist", option, value, "--data", NoData, "--out", work.Combine("a")]);
        var fromConfig = CliProcess.Run(["mnist", "--config", config, "--data", NoData, "--out", work.Combine("b")]);
        Assert.Equal((1, OnlyLine(fromCommandLine.Stderr)), (fromConfig.ExitCode, OnlyLine(fromConfig.Stderr)));
    }

    [Theory]
    [InlineData("""{ "epochs": 1, "learningrat": 0.1 }""", "unknown key 'learningrat'")]
    [InlineData("""{ "epochs": "ten" }""", "'epochs' has a value of the wrong type")]
    [InlineData("""epochs = 10""", "not valid JSON")]
    public void ABadConfigFileIsOneLineNamingTheFileAndTheKey(string text, string problem)
    {
        using var work = new TempDirectory();
        var config = work.Combine("config.json");
        File.WriteAllText(config, text);
        var (exitCode, _, stderr) = CliProcess.Run(["mnist", "--config", config, "--data", NoData, "--out", work.Combine("out")]);
        Assert.Equal(1, exitCode);
        var line = OnlyLine(stderr);
        Assert.StartsWith($"error: {config}: ", line);
        Assert.Contains(problem, line);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;
}
