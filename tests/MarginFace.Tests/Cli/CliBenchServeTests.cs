namespace MarginFace.Tests.Cli;

/// <summary><c>marginface bench serve</c> in small: the real server, a gallery of synthetic people, two clients for a second.</summary>
[Trait("Category", "Integration")]
public class CliBenchServeTests
{
    [SharedDataFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0001.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public void ALoadTestOfTwoClientsAnswersEveryRequest()
    {
        var run = CliProcess.Run(["bench", "serve", "--photo", TestImages.LfwPath("Colin_Powell", 1), "--people", "200", "--clients", "2", "--seconds", "1",
            "--detector", TestImages.YuNetPath, "--onnx-threads", "1"], Server.ServerFixture.TestModelCache(), timeoutSeconds: 120);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var row = Assert.Single(run.Stdout.Split('\n'), l => l.StartsWith("| 2 |", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries);
        Assert.True(int.Parse(row[3], System.Globalization.CultureInfo.InvariantCulture) > 0, run.Stdout);
        Assert.Equal(("0", "0"), (row[7], row[8]));
        Assert.Contains("200 people in the gallery", run.Stderr);
    }

    [Fact]
    public void ABadClientCountIsAOneLineError()
    {
        var run = CliProcess.Run(["bench", "serve", "--photo", "x.jpg", "--clients", "2,0"]);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: --clients: '0' is not a client count from 1 to 1024", run.Stderr.Trim());
    }
}
