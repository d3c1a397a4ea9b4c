using MarginFace.Runtime;

namespace MarginFace.Tests.Runtime;

/// <summary>The models folder is looked up with an explicit root here: setting the process-wide one would reach tests running beside these.</summary>
public class ModelsFolderTests
{
    private static readonly byte[] Manifest = "[]"u8.ToArray(), Weights = [1, 2, 3];

    private static Dictionary<string, string> Files() => new()
    {
        ["m-weights_manifest.json"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Manifest)),
        ["m.bin"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Weights)),
    };

    private static void Write(string folder, byte[]? weights = null)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "m-weights_manifest.json"), Manifest);
        File.WriteAllBytes(Path.Combine(folder, "m.bin"), weights ?? Weights);
    }

    [Fact]
    public void FilesAreFoundInTheFolderOrInTheCachesSubfolderOfACopiedCache()
    {
        using var dir = new TempDirectory();
        Assert.Null(ModelsFolder.Find(null, "face-api", Files()));
        Assert.Null(ModelsFolder.Find(dir.Path, "face-api", Files()));
        Write(dir.Combine("face-api"));
        Assert.Equal(dir.Combine("face-api"), ModelsFolder.Find(dir.Path, "face-api", Files()));
        Write(dir.Path);
        Assert.Equal(dir.Path, ModelsFolder.Find(dir.Path, "face-api", Files()));
    }

    [Fact]
    public void AFileWithAnotherDigestOrWithoutItsPartnerIsRefusedNamingIt()
    {
        using var dir = new TempDirectory();
        Write(dir.Path, weights: [1, 2, 4]);
        var error = Assert.Throws<MarginFaceException>(() => ModelsFolder.Find(dir.Path, "face-api", Files()));
        Assert.StartsWith($"{dir.Combine("m.bin")}: has SHA-256 ", error.Message);
        Assert.EndsWith("not loaded", error.Message);
        File.Delete(dir.Combine("m.bin"));
        error = Assert.Throws<MarginFaceException>(() => ModelsFolder.Find(dir.Path, "face-api", Files()));
        Assert.Equal($"{dir.Combine("m-weights_manifest.json")}: the models folder has it but not m.bin beside it", error.Message);
    }
}
