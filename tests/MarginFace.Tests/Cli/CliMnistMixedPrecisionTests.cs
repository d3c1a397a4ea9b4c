using System.Text.Json;
using MarginFace.Tests.Mnist;

namespace MarginFace.Tests.Cli;

/// <summary><c>marginface mnist --precision</c> from the command line and from a settings file.</summary>
[Trait("Category", "Integration")]
public class CliMnistMixedPrecisionTests
{
    [Fact]
    public void PrecisionBf16TrainsAndIsWrittenToConfigMetricsAndCheckpoint()
    {
        using var work = new TempDirectory();
        var data = SyntheticMnist.WriteSeparable(work.Combine("data"), trainCount: 120, testCount: 40);
        var output = work.Combine("out");

        var (exitCode, stdout, stderr) = CliProcess.Run(["mnist", "--loss", "arcface", "--epochs", "1", "--batch", "40", "--precision", "bf16",
            "--data", data, "--out", output, "--threads", "1"]);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("test accuracy:", stdout);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")));
        Assert.Equal("bf16", metrics.RootElement.GetProperty("precision").GetString());
        Assert.Contains("\"Precision\": \"bf16\"", File.ReadAllText(Path.Combine(output, "config.json")));
        var (state, _) = MnistResumeTests.ReadCheckpoint(Path.Combine(output, "model.bin"));
        Assert.Equal(MarginFace.Training.TrainingPrecision.Bf16, state.MixedPrecision!.Precision);
    }

    [Theory]
    [InlineData("--precision", "fp8", "--precision: expected fp32, bf16 or fp16, got 'fp8'")]
    [InlineData("--config", """{ "precision": "fp8" }""", "'precision' has a value of the wrong type")]
    public void AnUnknownPrecisionIsOneLineBeforeAnyDataIsRead(string option, string value, string message)
    {
        using var work = new TempDirectory();
        var noData = work.Combine("no-data");
        if (option == "--config")
        {
            File.WriteAllText(work.Combine("config.json"), value);
            value = work.Combine("config.json");
        }

        var (exitCode, _, stderr) = CliProcess.Run(["mnist", option, value, "--data", noData, "--out", work.Combine("out")]);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(message, line);
        Assert.False(Directory.Exists(work.Combine("out")));
    }
}
