namespace MarginFace.Tests.Cli;

[Trait("Category", "Integration")]
public class CliBenchPipelineTests
{
    [SharedDataFact(TestImages.ColinPowell1)]
    public void PrintsMedianAndP90OfEveryStageForOnePhoto()
    {
        var photo = TestImages.LfwPath("Colin_Powell", 1);
        var (exitCode, stdout, stderr) = CliProcess.Run(["bench", "pipeline", photo, "--runs", "3", "--warmup", "0", "--onnx-threads", "1"]);
        Assert.True(exitCode == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, line => line.StartsWith("bench pipeline: ") && line.Contains("(250×250), 1 face(s)") && line.Contains("3 runs"));
        foreach (var stage in new[] { "decode", "detect", "align", "embed", "total" })
        {
            var row = Assert.Single(lines, line => line.StartsWith(stage + " "));
            var numbers = row[stage.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(double.Parse).ToArray();
            Assert.Equal(2, numbers.Length);
            Assert.True(numbers[0] >= 0 && numbers[1] >= numbers[0], row);
        }
    }

    [Fact]
    public void RunsBelowOneAreRefusedWithOneLine()
    {
        var (exitCode, _, stderr) = CliProcess.Run(["bench", "pipeline", "photo.jpg", "--runs", "0"]);
        Assert.Equal(1, exitCode);
        Assert.Equal("error: --runs must be at least 1, got 0", stderr.Trim());
    }
}
