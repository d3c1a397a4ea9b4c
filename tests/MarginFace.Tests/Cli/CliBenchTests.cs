using System.Text.Json;

namespace MarginFace.Tests.Cli;

[Trait("Category", "Integration")]
public class CliBenchTests
{
    [Fact]
    public void QuickHeadsBenchWritesOneJsonObjectPerCaseWithTimingAndMemoryFields()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "bench.json");
        var (exitCode, stdout, stderr) = CliProcess.Run(["bench", "heads", "--quick", "--threads", "1", "--heads", "arcface,cosface", "--json", path]);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("× gemm", stdout);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var cases = document.RootElement.EnumerateArray().ToArray();
        // Two class counts × (gemm, seed-arcface, arcface, cosface).
        Assert.Equal(8, cases.Length);
        Assert.Equal(["gemm", "seed-arcface", "arcface", "cosface"], cases.Take(4).Select(c => c.GetProperty("head").GetString()!));
        Assert.Equal([64, 64, 64, 64, 1000, 1000, 1000, 1000], cases.Select(c => c.GetProperty("classes").GetInt32()));
        foreach (var c in cases)
        {
            Assert.Equal("heads", c.GetProperty("suite").GetString());
            Assert.Equal(8, c.GetProperty("batch").GetInt32());
            Assert.Equal(16, c.GetProperty("dim").GetInt32());
            Assert.Equal(1, c.GetProperty("threads").GetInt32());
            Assert.Equal(1, c.GetProperty("repeats").GetInt32());
            var median = c.GetProperty("medianMs").GetDouble();
            Assert.True(median > 0);
            Assert.True(c.GetProperty("minMs").GetDouble() <= median && median <= c.GetProperty("maxMs").GetDouble());
            Assert.True(c.GetProperty("q1Ms").GetDouble() <= c.GetProperty("q3Ms").GetDouble());
            Assert.True(c.GetProperty("peakRssMb").GetDouble() > 10);
            Assert.True(c.GetProperty("peakRssMb").GetDouble() >= c.GetProperty("rssBeforeMb").GetDouble());
        }
    }

    [Theory]
    [InlineData(new[] { "nonsense" }, "error: unknown command, option or argument 'nonsense' (see 'marginface bench --help')")]
    [InlineData(new[] { "heads", "--leak-check" }, "error: unknown command, option or argument '--leak-check' (see 'marginface bench heads --help')")]
    [InlineData(new[] { "train", "--heads", "arcface" }, "error: unknown command, option or argument '--heads' (see 'marginface bench train --help')")]
    [InlineData(new[] { "loader", "--steps", "5" }, "error: unknown command, option or argument '--steps' (see 'marginface bench loader --help')")]
    public void AnUnknownSuiteOrAnotherSuitesOptionIsAOneLineError(string[] args, string message)
    {
        var (exitCode, _, stderr) = CliProcess.Run(["bench", .. args, "--threads", "1"]);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(message, line);
    }

    [Fact]
    public void AnUnknownHeadIsAOneLineErrorNamingTheOption()
    {
        var (exitCode, _, stderr) = CliProcess.Run(["bench", "heads", "--quick", "--heads", "arcfaec"]);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--heads: unknown head 'arcfaec'", line);
    }
}
