using MarginFace.Tests.Imaging;

namespace MarginFace.Tests.Cli;

/// <summary><c>detect</c> reports a JPEG damaged part way in one line and goes on with the other images.</summary>
public class CliDamagedImageTests
{
    [SharedDataFact(TestImages.YuNetModel)]
    public void DetectReportsADamagedJpegAndGoesOn()
    {
        using var dir = new TempDirectory();
        var good = dir.Combine("good.jpg");
        File.Copy(TestImages.LfwPath("Colin_Powell", 1), good);
        var damaged = dir.Combine("damaged.jpg");
        File.WriteAllBytes(damaged, DamagedJpeg.Damage(File.ReadAllBytes(good), "zeros"));
        var (exitCode, stdout, stderr) = CliProcess.Run(["detect", damaged, good, "--detector", TestImages.YuNetPath, "--onnx-threads", "1"]);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {damaged}: damaged image (", line);
        Assert.Contains($"{good}: 1 face", stdout);
    }
}
