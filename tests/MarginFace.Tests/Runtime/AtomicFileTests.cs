using MarginFace.Runtime;

namespace MarginFace.Tests.Runtime;

public class AtomicFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mf-atomic").FullName;

    [Fact]
    public void WritesReplaceTheFileAndLeaveNoTemporaryBehind()
    {
        var path = Path.Combine(_directory, "sub", "model.bin");
        AtomicFile.WriteAllText(path, "first");
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["model.bin"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailedWriteLeavesTheOldFileAndNoTemporary()
    {
        var path = Path.Combine(_directory, "model.bin");
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, temp =>
        {
            File.WriteAllText(temp, "half");
            throw new InvalidOperationException("crash");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void DirectoriesAndFilesCanBeFlushed()
    {
        var path = Path.Combine(_directory, "a.txt");
        File.WriteAllText(path, "x");
        AtomicFile.FlushFile(path);
        AtomicFile.FlushDirectory(_directory);
        Assert.Throws<IOException>(() => AtomicFile.FlushDirectory(Path.Combine(_directory, "missing")));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
