using System.IO.Compression;
using System.Text.Json;
using System.Text;
using MarginFace.Interop.PyTorch;
using static TorchSharp.torch;

namespace MarginFace.Tests.Interop;

public class PyTorchCheckpointTests : TorchTest
{
    private readonly TempDirectory _temp = new();

    public override void Dispose()
    {
        _temp.Dispose();
        base.Dispose();
    }

    private static double[] Values(Tensor tensor)
    {
        if (tensor.numel() == 0) return []; // TorchSharp's accessor cannot copy out an empty tensor
        using var wide = tensor.to_type(ScalarType.Float64);
        return wide.data<double>().ToArray();
    }

    private static void AssertSameAsPyTorch(PyTorchStateDict state, JsonElement expected)
    {
        var names = expected.EnumerateObject().Select(property => property.Name).ToArray();
        Assert.Equal(names, state.Names);
        foreach (var property in expected.EnumerateObject())
        {
            var stored = state[property.Name];
            Assert.Equal(property.Value.GetProperty("dtype").GetString(), DTypeName(stored.DType));
            Assert.Equal(PyTorchFixtures.Shape(property.Value), stored.Shape);
            using var tensor = stored.ToTensor();
            Assert.True(tensor.is_contiguous(), property.Name);
            Assert.Equal(stored.Shape, tensor.shape);
            Assert.Equal(stored.DType, tensor.dtype);
            Assert.Equal(PyTorchFixtures.Doubles(property.Value), Values(tensor));
        }
    }

    private static string DTypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Int64 => "int64",
        ScalarType.Int32 => "int32",
        ScalarType.Byte => "uint8",
        ScalarType.Bool => "bool",
        _ => type.ToString(),
    };

    [Fact]
    public void TinyNetStateDictLoadsEveryTensorWithPyTorchsExactValuesInOrder()
    {
        var state = PyTorchCheckpoint.ReadStateDict(PyTorchFixtures.PathOf("tiny_net.pt"));
        AssertSameAsPyTorch(state, PyTorchFixtures.Json("tiny_net.json").GetProperty("tensors"));
        Assert.Equal(ScalarType.Int64, state["bn1.num_batches_tracked"].DType);
        Assert.Empty(state["bn1.num_batches_tracked"].Shape);
    }

    [Fact]
    public void TinyNetWithLoadedWeightsGivesPyTorchsOutput()
    {
        var state = PyTorchCheckpoint.ReadStateDict(PyTorchFixtures.PathOf("tiny_net.pt"));
        var json = PyTorchFixtures.Json("tiny_net.json");
        using var scope = NewDisposeScope();
        Tensor W(string name) => state[name].ToTensor();
        var x = PyTorchFixtures.Tensor(json.GetProperty("input"));
        var y = nn.functional.conv2d(x, W("conv1.weight"), strides: [2, 2], padding: [1, 1]);
        y = nn.functional.batch_norm(y, W("bn1.running_mean"), W("bn1.running_var"), W("bn1.weight"), W("bn1.bias"), training: false, eps: 1e-5);
        y = nn.functional.prelu(y, W("prelu.weight"));
        y = nn.functional.linear(y.flatten(1), W("fc.weight"), W("fc.bias"));
        y = nn.functional.batch_norm(y, W("features.running_mean"), W("features.running_var"), W("features.weight"), W("features.bias"), training: false, eps: 1e-5);
        var expected = PyTorchFixtures.Tensor(json.GetProperty("output"));
        Assert.Equal(expected.shape, y.shape);
        var difference = (y - expected).abs().max().item<float>();
        Assert.True(difference < 1e-5f, $"largest difference {difference}");
    }

    [Fact]
    public void ViewsKeepPyTorchsStridesOffsetsAndDTypesAndBecomeContiguousTensorsWithTheSameValues()
    {
        var state = PyTorchCheckpoint.ReadStateDict(PyTorchFixtures.PathOf("views.pt"));
        var json = PyTorchFixtures.Json("views.json");
        AssertSameAsPyTorch(state, json.GetProperty("tensors"));
        foreach (var layout in json.GetProperty("layout").EnumerateObject())
        {
            Assert.Equal(layout.Value.GetProperty("strides").EnumerateArray().Select(s => s.GetInt64()), state[layout.Name].Strides);
            Assert.Equal(layout.Value.GetProperty("offset").GetInt64(), state[layout.Name].StorageOffset);
        }
        Assert.Same(state["shared_a"].Storage, state["shared_b"].Storage);
        Assert.Same(state["transposed"].Storage, state["offset_rows"].Storage);
    }

    [Fact]
    public void Int64ValuesBeyondDoublePrecisionAreExact()
    {
        var state = PyTorchCheckpoint.ReadStateDict(PyTorchFixtures.PathOf("views.pt"));
        using var tensor = state["long"].ToTensor();
        Assert.Equal([-1L, (1L << 40) + 3, 0L, -(1L << 50)], tensor.data<long>().ToArray());
    }

    [Fact]
    public void TensorsFromOneStorageShareNoMemory()
    {
        var state = PyTorchCheckpoint.ReadStateDict(PyTorchFixtures.PathOf("views.pt"));
        using var a = state["offset_rows"].ToTensor();
        using var b = state["offset_rows"].ToTensor();
        a.fill_(0f);
        Assert.NotEqual(0.0, Values(b).Select(Math.Abs).Max());
    }

    [Fact]
    public void BigEndianStoragesAreReadAsTheirValues()
    {
        var state = PyTorchCheckpoint.ReadStateDict(PyTorchFixtures.PathOf("big_endian.pt"));
        using var tensor = state["w"].ToTensor();
        Assert.Equal([1.5f, -2f, 3.25f], tensor.data<float>().ToArray());
    }

    [Fact]
    public void PickleAskingForOsSystemIsRefusedWithoutRunningIt()
    {
        var path = PyTorchFixtures.PathOf("hostile_os_system.pt");
        var error = Assert.Throws<MarginFaceException>(() => PyTorchCheckpoint.ReadStateDict(path));
        Assert.Equal($"{path}: pickle asks for global 'os.system', which a state dict never needs", error.Message);
        Assert.False(File.Exists("/tmp/marginface-pwned"));
    }

    [Fact]
    public void TruncatedArchiveIsAOneLineError()
    {
        var path = PyTorchFixtures.PathOf("hostile_truncated.pt");
        var error = Assert.Throws<MarginFaceException>(() => PyTorchCheckpoint.ReadStateDict(path));
        Assert.StartsWith($"{path}: truncated or corrupt zip archive", error.Message);
        AssertOneLine(error);
    }

    [Fact]
    public void StorageShorterThanDeclaredIsRefusedBeforeAnyTensorIsMade()
    {
        var path = PyTorchFixtures.PathOf("hostile_short_storage.pt");
        var error = Assert.Throws<MarginFaceException>(() => PyTorchCheckpoint.ReadStateDict(path));
        Assert.Equal($"{path}: storage 'data/0' holds 20 bytes, but its header declares 40 (10 elements of float32)", error.Message);
    }

    [Fact]
    public void HugeDeclaredStorageIsRefusedWithoutAllocatingIt()
    {
        var path = PyTorchFixtures.PathOf("hostile_huge_storage.pt");
        var error = Assert.Throws<MarginFaceException>(() => PyTorchCheckpoint.ReadStateDict(path));
        Assert.Equal($"{path}: storage 'data/0' holds 40 bytes, but its header declares {4L << 40} ({1L << 40} elements of float32)", error.Message);
    }

    [Fact]
    public void TensorReachingPastItsStorageIsRefused()
    {
        var path = PyTorchFixtures.PathOf("hostile_past_storage.pt");
        var error = Assert.Throws<MarginFaceException>(() => PyTorchCheckpoint.ReadStateDict(path));
        Assert.Equal($"{path}: tensor 'w' (shape [4, 3], strides [3, 1], offset 1) reaches element 12 of storage '0', which holds 10", error.Message);
    }

    [Fact]
    public void LegacyNonZipFormatIsNamedAsSuch()
    {
        var path = PyTorchFixtures.PathOf("legacy.pt");
        var error = Assert.Throws<MarginFaceException>(() => PyTorchCheckpoint.ReadStateDict(path));
        Assert.StartsWith($"{path}: a pickle without the zip container (PyTorch's legacy format from before 1.6)", error.Message);
    }

    [Fact]
    public void MissingFileAndNonZipFileAreOneLineErrors()
    {
        var missing = _temp.Combine("absent.pt");
        Assert.Equal($"{missing}: file not found",
            Assert.Throws<MarginFaceException>(() => PyTorchCheckpoint.ReadStateDict(missing)).Message);
        var text = _temp.Combine("notes.pt");
        File.WriteAllText(text, "not a checkpoint");
        Assert.Equal($"{text}: not a torch.save checkpoint (no zip archive)",
            Assert.Throws<MarginFaceException>(() => PyTorchCheckpoint.ReadStateDict(text)).Message);
    }

    /// <summary>Writes a zip laid out as torch.save lays it out, with <paramref name="pickle"/> as its data.pkl.</summary>
    private string Archive(byte[] pickle, string? dataPklName = "archive/data.pkl")
    {
        var path = _temp.Combine($"crafted-{Guid.NewGuid():N}.pt");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            if (dataPklName is not null)
                using (var stream = zip.CreateEntry(dataPklName, CompressionLevel.NoCompression).Open())
                    stream.Write(pickle);
            using var version = zip.CreateEntry("archive/version").Open();
            version.Write("3\n"u8);
        }
        return path;
    }

    private static byte[] Pickle(params object[] parts) =>
        [.. parts.SelectMany(part => part switch
        {
            string text => Encoding.Latin1.GetBytes(text),
            byte[] bytes => bytes,
            int single => [(byte)single],
            _ => throw new ArgumentException("part"),
        })];

    private string ReadError(byte[] pickle)
    {
        var path = Archive(pickle);
        var error = Assert.Throws<MarginFaceException>(() => PyTorchCheckpoint.ReadStateDict(path));
        AssertOneLine(error);
        Assert.StartsWith($"{path}: ", error.Message);
        return error.Message[(path.Length + 2)..];
    }

    private static void AssertOneLine(Exception error) => Assert.DoesNotContain('\n', error.Message);

    [Fact]
    public void BuiltinsEvalIsRefusedByName()
    {
        Assert.Equal("pickle asks for global 'builtins.eval', which a state dict never needs",
            ReadError(Pickle(0x80, 2, "cbuiltins\neval\n", "X", new byte[] { 1, 0, 0, 0 }, "1", 0x85, "R.")));
    }

    [Fact]
    public void OpcodesThatBuildArbitraryObjectsAreRefused()
    {
        Assert.Equal("pickle opcode 0x93 (STACK_GLOBAL) at byte 2 is not allowed in a state dict",
            ReadError(Pickle(0x80, 4, 0x93, ".")));
        Assert.Equal("pickle opcode 0x69 (INST) at byte 2 is not allowed in a state dict",
            ReadError(Pickle(0x80, 2, "iposix\nsystem\n.")));
    }

    [Fact]
    public void StringLongerThanThePickleIsRefusedWithoutAllocatingIt()
    {
        Assert.Equal("a string of 4294967295 bytes at byte 2 runs past the pickle's end at byte 8 (truncated, or a false length)",
            ReadError(Pickle(0x80, 2, "X", new byte[] { 0xff, 0xff, 0xff, 0xff }, ".")));
    }

    [Fact]
    public void PickleWithoutStopIsTruncated()
    {
        Assert.Equal("the pickle ends at byte 3 without STOP (truncated)", ReadError(Pickle(0x80, 2, "}")));
    }

    [Fact]
    public void NonDictRootAndNonTensorValuesAreNotStateDicts()
    {
        Assert.Equal("holds a list, not a state dict (a dict of name → tensor)", ReadError(Pickle(0x80, 2, "].")));
        Assert.Equal("entry 'epoch' is an integer, not a tensor; expected a state dict (name → tensor)",
            ReadError(Pickle(0x80, 2, "}X", new byte[] { 5, 0, 0, 0 }, "epochK", 3, "s.")));
    }

    [Fact]
    public void ZipWithoutDataPklIsNotACheckpoint()
    {
        var path = Archive([], dataPklName: null);
        Assert.Equal($"{path}: a zip archive without NAME/data.pkl, so not a torch.save checkpoint",
            Assert.Throws<MarginFaceException>(() => PyTorchCheckpoint.ReadStateDict(path)).Message);
    }
}
