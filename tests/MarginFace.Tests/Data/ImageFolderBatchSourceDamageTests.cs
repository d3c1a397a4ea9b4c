using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Models;
using MarginFace.Tests.Imaging;

namespace MarginFace.Tests.Data;

/// <summary>Training skips a JPEG damaged part way and counts it with the other unreadable files.</summary>
public class ImageFolderBatchSourceDamageTests : TorchTest
{
    [Fact]
    public void TrainingSkipsAndCountsADamagedJpeg()
    {
        using var dir = new TempDirectory();
        var root = FaceFolder.Write(dir, identities: 3, images: 40, size: 16);
        var damaged = Path.Combine(root, FaceFolder.Identity(1), "0007.jpg");
        File.Delete(Path.ChangeExtension(damaged, ".png"));
        File.WriteAllBytes(damaged, DamagedJpeg.Damage(DamagedJpeg.Intact(), "zeros"));
        var warnings = new List<string>();
        var input = new FacePreprocessing(FaceCrop.None, 16, 16, true, PixelNormalization.Centered128);
        var source = new ImageFolderBatchSource(IdentityFolderDataset.Scan(root), input, null,
            new ImageFolderBatchOptions(8, Seed: 1, Workers: 1) { MaxBadFraction = 0.05, Warning = (path, problem) => { lock (warnings) warnings.Add($"{path}: {problem}"); } });
        foreach (var batch in source.Read(1, 0)) batch.Dispose();
        Assert.Equal([damaged], source.Unreadable.Keys);
        Assert.StartsWith($"{damaged}: damaged image (", Assert.Single(warnings));
    }
}
