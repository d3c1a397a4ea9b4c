using System.Text.Json;
using MarginFace.Runtime;
using MarginFace.Tests.Evaluation;
using MarginFace.Tests.Interop;
using SkiaSharp;

namespace MarginFace.Tests.Cli;

/// <summary><c>marginface eval bin</c> on a tiny generated InsightFace <c>.bin</c>, embedded by the pretrained model.</summary>
[Trait("Category", "Integration")]
public class CliEvalBinTests
{
    private static readonly Dictionary<string, string> Cache = new() { [CachePaths.CacheVariable] = FaceApiTestModel.CacheRoot };

    [FaceApiFact]
    public void EvalBinPrintsArcfaceTorchsAccuracyAndMarginFacesReport()
    {
        using var temp = new TempDirectory();
        // 20 pairs (2 per fold): same pairs are one gradient twice, different pairs two unrelated ones.
        var images = new List<byte[]>();
        var same = new List<bool>();
        for (var i = 0; i < 20; i++)
        {
            var colour = new SKColor((byte)(40 + 10 * i), (byte)(250 - 12 * i), (byte)(i * 37 % 256));
            images.Add(VerificationBinPickles.Jpeg(colour));
            images.Add(VerificationBinPickles.Jpeg(i % 2 == 0 ? colour : new SKColor(colour.Blue, colour.Red, colour.Green)));
            same.Add(i % 2 == 0);
        }
        var bin = temp.Combine("tiny.bin");
        File.WriteAllBytes(bin, VerificationBinPickles.Protocol4(images, same));
        var (exitCode, stdout, stderr) = CliProcess.Run(["eval", "bin", bin, "--out", temp.Combine("out")], Cache);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("(20 pairs: 10 same, 10 different)", stdout);
        Assert.Contains("arcface_torch accuracy", stdout);
        Assert.Contains("arcface_torch VAL@FAR=1e-3", stdout);
        Assert.Contains("AUC", stdout);
        using var json = JsonDocument.Parse(File.ReadAllText(temp.Combine("out", "report.json")));
        Assert.Equal(20, json.RootElement.GetProperty("pairs").GetInt32());
        Assert.Equal(10, json.RootElement.GetProperty("folds").GetArrayLength());
        var arcface = json.RootElement.GetProperty("arcfaceTorch");
        Assert.Equal(10, arcface.GetProperty("foldAccuracies").GetArrayLength());
        // Same pairs are identical images: distance 0, accepted at any threshold above 0.
        Assert.InRange(arcface.GetProperty("accuracy").GetDouble(), 0.5, 1.0);
    }

    [Fact]
    public void EvalBinRefusesAHostileFileInOneLine()
    {
        using var temp = new TempDirectory();
        var bin = temp.Combine("evil.bin");
        File.WriteAllBytes(bin, [0x80, 2, .. "cos\nsystem\n"u8, (byte)'.']);
        var (exitCode, _, stderr) = CliProcess.Run(["eval", "bin", bin, "--model", "none.mfm"]);
        Assert.Equal(1, exitCode);
        Assert.Contains("'os.system'", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [FaceApiFact]
    public void ACorruptImageInsideTheSetIsOneLineAndExitOneNotAnInternalError()
    {
        using var temp = new TempDirectory();
        var images = new List<byte[]>();
        var same = new List<bool>();
        for (var i = 0; i < 10; i++)
        {
            var colour = new SKColor((byte)(40 + 20 * i), 90, 160);
            images.Add(VerificationBinPickles.Jpeg(colour));
            images.Add(VerificationBinPickles.Jpeg(colour));
            same.Add(true);
        }
        images[7] = [0xFF, 0xD8, 0xFF, 0x00, 1, 2, 3]; // a JPEG that ends after its first marker
        var bin = temp.Combine("damaged.bin");
        File.WriteAllBytes(bin, VerificationBinPickles.Protocol4(images, same));
        var (exitCode, _, stderr) = CliProcess.Run(["eval", "bin", bin], Cache);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Trim().Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains($"{bin}: image 7", line);
        Assert.DoesNotContain("internal error", stderr, StringComparison.OrdinalIgnoreCase);
    }
}
