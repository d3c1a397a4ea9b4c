using System.Text.Json.Nodes;
using System.Text;
using MarginFace.FaceModels;
using MarginFace.Models;
using MarginFace.Runtime;
using MarginFace.Tests.Runtime;

namespace MarginFace.Tests.FaceModels;

/// <summary>
/// Face model files whose header or weights declare absurd sizes (issue 40): each is a one-line
/// <see cref="MarginFaceException"/> naming the file, raised before the backbone or any tensor is allocated, instead of a
/// native allocation failure, an <see cref="OverflowException"/> or an <see cref="OutOfMemoryException"/>.
/// </summary>
public class FaceModelFileBudgetTests : TorchTest
{
    private readonly TempDirectory _temp = new();

    public override void Dispose()
    {
        _temp.Dispose();
        base.Dispose();
    }

    /// <summary>A valid face model file of the small MNIST backbone <c>clsnet</c>.</summary>
    internal static byte[] SmallModelBytes(TempDirectory temp)
    {
        using var backbone = BackboneFactory.Create("clsnet");
        var s = backbone.Spec;
        var path = temp.Combine($"small-{Guid.NewGuid():N}.model");
        FaceModelFile.Save(path, backbone.Module, new FaceModelInfo
        {
            Backbone = s.Name, EmbeddingSize = s.EmbeddingSize, InputWidth = s.InputWidth, InputHeight = s.InputHeight,
            Channels = s.Channels, Normalization = s.Normalization, Identities = ["a", "b"],
        });
        return File.ReadAllBytes(path);
    }

    private string WithHeader(Action<JsonObject> change) => WithHeader(_temp, change);

    /// <summary>A small valid face model file whose JSON description <paramref name="change"/> has edited.</summary>
    internal static string WithHeader(TempDirectory temp, Action<JsonObject> change)
    {
        var bytes = SmallModelBytes(temp);
        var layout = new TorchSharpFileLayout(bytes);
        var (start, end) = layout.SkipHeader();
        layout.Position = start;
        var json = JsonNode.Parse(layout.ReadString())!.AsObject();
        change(json);
        using var encoded = new MemoryStream();
        using (var writer = new BinaryWriter(encoded, Encoding.UTF8, leaveOpen: true)) writer.Write(json.ToJsonString());
        var path = temp.Combine($"hostile-{Guid.NewGuid():N}.model");
        File.WriteAllBytes(path, TorchSharpFileLayout.Splice(bytes, start, end - start, encoded.ToArray()));
        return path;
    }

    private string Write(byte[] bytes)
    {
        var path = _temp.Combine($"hostile-{Guid.NewGuid():N}.model");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Refused(string path, bool load = true)
    {
        var error = Assert.Throws<MarginFaceException>(() =>
        {
            if (load) FaceModelFile.Load(path).Dispose();
            else FaceModelFile.ReadInfo(path);
        });
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith($"{path}: ", error.Message);
        return error.Message[(path.Length + 2)..];
    }

    [Fact]
    public void SmallModelLoads()
    {
        using var model = FaceModelFile.Load(Write(SmallModelBytes(_temp)));
        Assert.Equal("clsnet", model.Info.Backbone);
    }

    [Fact]
    public void EmbeddingSizeOfTwoToTheThirtyFirstIsRefusedBeforeTheBackboneIsMade()
    {
        var path = WithHeader(json => json["EmbeddingSize"] = int.MaxValue);
        Assert.Equal($"not a valid MarginFace face model (embedding size {int.MaxValue}, outside [1, {ReadLimits.MaxEmbeddingSize}])", Refused(path));
        Assert.Equal($"not a valid MarginFace face model (embedding size {int.MaxValue}, outside [1, {ReadLimits.MaxEmbeddingSize}])", Refused(path, load: false));
    }

    [Fact]
    public void InputOf30000By30000IsRefused()
    {
        var path = WithHeader(json =>
        {
            json["InputWidth"] = 30000;
            json["InputHeight"] = 30000;
        });
        Assert.Equal($"not a valid MarginFace face model (input 30000×30000, outside 1–{ReadLimits.MaxInputSide} pixels a side)", Refused(path, load: false));
        Assert.Equal($"not a valid MarginFace face model (input 30000×30000, outside 1–{ReadLimits.MaxInputSide} pixels a side)", Refused(path));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(-3)]
    public void ChannelsOtherThanOneOrThreeAreRefused(int channels)
    {
        var path = WithHeader(json => json["Channels"] = channels);
        Assert.Equal($"not a valid MarginFace face model ({channels} channels; 1 (grey) or 3 (RGB) expected)", Refused(path, load: false));
    }

    [Fact]
    public void NullIdentitiesAreRefused()
    {
        var path = WithHeader(json => json["Identities"] = null);
        Assert.Equal("not a valid MarginFace face model (a field is null)", Refused(path, load: false));
    }

    [Theory]
    [InlineData(4294967295L)] // new long[rank] would be 32 GiB: OutOfMemoryException
    [InlineData(-1L)] // LEB128 of 64 set bits: new long[-1] is an OverflowException
    [InlineData(9L)]
    public void HugeOrNegativeTensorRankIsRefused(long rank)
    {
        var bytes = SmallModelBytes(_temp);
        var layout = new TorchSharpFileLayout(bytes);
        layout.SkipHeader();
        var rankAt = layout.SkipModule();
        layout.Position = rankAt;
        var original = layout.ReadLeb128();
        Assert.InRange(original, 1, 4);
        var path = Write(TorchSharpFileLayout.Splice(bytes, rankAt, 1, TorchSharpFileLayout.Leb128(rank)));
        Assert.Matches($"^'.+' of the weights declares {rank} dimensions; at most {ReadLimits.MaxTensorRank} are accepted$", Refused(path));
    }

    [Fact]
    public void TensorLargerThanTheRestOfTheFileIsRefusedBeforeItIsRead()
    {
        var bytes = SmallModelBytes(_temp);
        var layout = new TorchSharpFileLayout(bytes);
        layout.SkipHeader();
        var rankAt = layout.SkipModule();
        // The first tensor becomes 1-D of 2^40 elements.
        var rankAndDims = new TorchSharpFileLayout(bytes) { Position = rankAt };
        var rank = rankAndDims.ReadLeb128();
        for (var d = 0; d < rank; d++) rankAndDims.ReadLeb128();
        var path = Write(TorchSharpFileLayout.Splice(bytes, rankAt, rankAndDims.Position - rankAt, [1, .. TorchSharpFileLayout.Leb128(1L << 40)]));
        Assert.Matches($"^'.+' of the weights \\(Float32 \\[{1L << 40}\\]\\) needs {4L << 40} bytes, but only \\d+ remain in the file; it is damaged or cut short$", Refused(path));
    }
}
