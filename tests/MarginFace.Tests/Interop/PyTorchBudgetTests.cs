using MarginFace.Interop.PyTorch;
using MarginFace.Runtime;
using static MarginFace.Tests.Interop.TorchSaveFiles;

namespace MarginFace.Tests.Interop;

/// <summary>
/// The hostile <c>.pt</c> files of issue 40, made in code: each is refused with a one-line <see cref="MarginFaceException"/>
/// naming the file, after allocating a bounded amount (measured with the thread's allocation counter), instead of running
/// <c>import pytorch</c> out of memory.
/// </summary>
public class PyTorchBudgetTests : TorchTest
{
    private readonly TempDirectory _temp = new();

    public override void Dispose()
    {
        _temp.Dispose();
        base.Dispose();
    }

    private static (MarginFaceException Error, long Allocated) Refused(Action read)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<MarginFaceException>(read);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.DoesNotContain('\n', error.Message);
        return (error, allocated);
    }

    private string Archive(byte[] pickle)
    {
        var path = _temp.Combine($"crafted-{Guid.NewGuid():N}.pt");
        using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create);
        using (var stream = zip.CreateEntry("archive/data.pkl").Open()) stream.Write(pickle);
        return path;
    }

    [Fact]
    public void SmallStateDictMadeInCodeReads()
    {
        var path = _temp.Combine("small.pt");
        WriteSmallStateDict(path);
        var state = PyTorchCheckpoint.ReadStateDict(path);
        Assert.Equal(["w", "b"], state.Names);
        Assert.Equal([6L], state["w"].Shape);
        using var b = state["b"].ToTensor();
        Assert.Equal([0.25f, 4f, -1f], b.data<float>().ToArray());
    }

    /// <summary>
    /// 10 000 (int, []) pairs in one memoised list, then OrderedDict(list) called 1 500 times: 60 KB of opcodes that would
    /// build 15 million dict entries (over a GB) before failing at STOP.
    /// </summary>
    [Fact]
    public void SmallPickleCopyingOneListIntoMillionsOfDictEntriesIsRefusedEarly()
    {
        const int pairs = 10_000, copies = 1_500;
        var parts = new List<object> { 0x80, 2, "ccollections\nOrderedDict\nq\u0000]q\u0001(" };
        for (var i = 0; i < pairs; i++) parts.AddRange(["M", i & 0xff, i >> 8, "]", 0x86]);
        parts.Add("e");
        for (var i = 0; i < copies; i++) parts.AddRange(["h\u0000h\u0001", 0x85, "R"]);
        parts.Add(".");
        var pickle = Pickle([.. parts]);
        Assert.InRange(pickle.Length, 50_000, 64_000);
        var path = Archive(pickle);

        var (error, allocated) = Refused(() => PyTorchCheckpoint.ReadStateDict(path));

        Assert.Equal($"{path}: the pickle builds more than {ReadLimits.MaxPickleObjects} objects and container items; a state dict needs a few ten thousand", error.Message);
        Assert.True(allocated < 400L << 20, $"allocated {allocated >> 20} MiB");
    }

    [Fact]
    public void PickleNestingMarksBeyondTheLimitIsRefused()
    {
        var path = Archive(Pickle(0x80, 2, new string('(', ReadLimits.MaxPickleNesting + 1), "."));
        var (error, _) = Refused(() => PyTorchCheckpoint.ReadStateDict(path));
        Assert.Equal($"{path}: the pickle nests more than {ReadLimits.MaxPickleNesting} MARKs", error.Message);
    }

    [Fact]
    public void PickleStringsBeyondTheirBudgetAreRefusedBeforeDecoding()
    {
        // Four 5 MiB strings, each under the pickle's own size limit, together over the string budget.
        var text = new string('a', 5 << 20);
        var path = Archive(Pickle(0x80, 2, "]", Unicode(text), "a", Unicode(text), "a", Unicode(text), "a", Unicode(text), "a."));
        var (error, _) = Refused(() => PyTorchCheckpoint.ReadStateDict(path));
        Assert.Equal($"{path}: the pickle's strings total more than {ReadLimits.MaxPickleStringBytes} bytes; a state dict's names take a few hundred KB", error.Message);
    }

    /// <summary>A 3 MB archive whose three storages honestly inflate to 1 GiB each: refused from the declared sizes alone.</summary>
    [Fact]
    public void ThreeGibibyteStoragesInAThreeMegabyteArchiveAreRefusedBeforeAnyIsRead()
    {
        const int elements = 1 << 28; // float32: 1 GiB
        var path = _temp.Combine("zeros.pt");
        WriteZerosArchive(path, StateDictPickle(("a", elements), ("b", elements), ("c", elements)), 3);
        Assert.InRange(new FileInfo(path).Length, 2_000_000, 4_000_000);

        var (error, allocated) = Refused(() => PyTorchCheckpoint.ReadStateDict(path));
        Assert.Equal($"{path}: its storages total {3L << 30} bytes, more than this reader accepts ({ReadLimits.MaxStorageBytes})", error.Message);
        Assert.True(allocated < 64L << 20, $"allocated {allocated >> 20} MiB");
    }

    [Fact]
    public void ImportRefusesStoragesFarBeyondWhatTheTargetBackboneNeeds()
    {
        const int elements = 1 << 28;
        var path = _temp.Combine("zeros.pt");
        WriteZerosArchive(path, StateDictPickle(("a", elements)), 1);

        var (error, allocated) = Refused(() => PyTorchImporter.ImportBackbone(path, "mobilefacenet64").Dispose());
        Assert.StartsWith($"{path}: its storages total {1L << 30} bytes, more than mobilefacenet64 can use (", error.Message);
        Assert.True(allocated < 64L << 20, $"allocated {allocated >> 20} MiB");
    }

    [Fact]
    public void TensorOfMoreDimensionsThanTheLimitIsRefused()
    {
        var rank = ReadLimits.MaxTensorRank + 1;
        var ones = Enumerable.Repeat<object>("K\u0001", rank).ToList();
        var pickle = Pickle([
            0x80, 2, "ccollections\nOrderedDict\nq\u0000)R", Unicode("w"), "ctorch._utils\n_rebuild_tensor_v2\n(",
            "(", Unicode("storage"), "ctorch\nFloatStorage\n", Unicode("0"), Unicode("cpu"), "K\u0001tQK\u0000",
            "(", .. ones, "t(", .. ones, "t", 0x89, "h\u0000)RtRs.",
        ]);
        var path = Archive(pickle);
        var (error, _) = Refused(() => PyTorchCheckpoint.ReadStateDict(path));
        Assert.Equal($"{path}: tensor 'w' has {rank} dimensions, more than {ReadLimits.MaxTensorRank}", error.Message);
    }
}
