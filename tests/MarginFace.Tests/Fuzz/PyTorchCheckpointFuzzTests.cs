using System.IO.Compression;
using Xunit.Abstractions;
using MarginFace.Interop.PyTorch;
using MarginFace.Tests.Interop;

namespace MarginFace.Tests.Fuzz;

/// <summary>Seeded mutations of a small <c>torch.save</c> archive, and of its pickle re-zipped, through <see cref="PyTorchCheckpoint"/>.</summary>
public class PyTorchCheckpointFuzzTests(ITestOutputHelper output) : TorchTest
{
    private readonly TempDirectory _temp = new();

    public override void Dispose()
    {
        _temp.Dispose();
        base.Dispose();
    }

    [Fact]
    public void MutatedArchivesReadOrFailWithAMarginFaceException()
    {
        var valid = _temp.Combine("valid.pt");
        TorchSaveFiles.WriteSmallStateDict(valid);
        var path = _temp.Combine("mutated.pt");
        var (run, refused) = FuzzLoop.Run(File.ReadAllBytes(valid), seed: 40, cases: 3000, TimeSpan.FromSeconds(2), bytes =>
        {
            File.WriteAllBytes(path, bytes);
            PyTorchCheckpoint.ReadStateDict(path);
        });
        output.WriteLine($"{run} cases, {refused} refused");
        Assert.True(refused > 0 && run > 0, $"{run} cases, {refused} refused");
    }

    /// <summary>The pickle is mutated and zipped again, so that the unpickler (not the zip CRC) meets every mutation.</summary>
    [Fact]
    public void MutatedPicklesReadOrFailWithAMarginFaceException()
    {
        var valid = TorchSaveFiles.StateDictPickle(("w", 6), ("b", 3));
        var path = _temp.Combine("mutated-pickle.pt");
        var (run, refused) = FuzzLoop.Run(valid, seed: 41, cases: 3000, TimeSpan.FromSeconds(2), pickle =>
        {
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
            {
                Add(zip, "archive/data.pkl", pickle);
                Add(zip, "archive/data/0", new byte[24]);
                Add(zip, "archive/data/1", new byte[12]);
            }
            try
            {
                PyTorchCheckpoint.ReadStateDict(path);
            }
            finally
            {
                File.Delete(path);
            }
        });
        output.WriteLine($"{run} cases, {refused} refused");
        Assert.True(refused > 0 && run > 0, $"{run} cases, {refused} refused");
    }

    private static void Add(ZipArchive zip, string name, byte[] data)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        stream.Write(data);
    }
}
