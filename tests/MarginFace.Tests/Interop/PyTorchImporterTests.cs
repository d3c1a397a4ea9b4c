using TorchSharp.Modules;
using MarginFace.Interop.PyTorch;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MarginFace.Tests.Interop;

public class PyTorchImporterTests : TorchTest
{
    private static readonly string TinyNetPath = PyTorchFixtures.PathOf("tiny_net.pt");

    /// <summary>The network of make_fixtures.py's TinyNet, with the same module names.</summary>
    private static Sequential TinyNet(int fcOutputs = 5, bool withFeatures = true, bool withExtraLayer = false)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>
        {
            ("conv1", Conv2d(3, 4, 3, stride: 2, padding: 1, bias: false)),
            ("bn1", BatchNorm2d(4)),
            ("prelu", PReLU(4)),
            ("flatten", Flatten()),
            ("fc", Linear(4 * 3 * 3, fcOutputs)),
        };
        if (withFeatures) layers.Add(("features", BatchNorm1d(fcOutputs)));
        if (withExtraLayer) layers.Add(("head", Linear(fcOutputs, 2)));
        return Sequential(layers);
    }

    [Fact]
    public void LoadedTinyNetComputesPyTorchsOutput()
    {
        using var net = TinyNet();
        PyTorchImporter.Load(TinyNetPath, net, "tiny net");
        net.eval();
        var json = PyTorchFixtures.Json("tiny_net.json");
        using var input = PyTorchFixtures.Tensor(json.GetProperty("input"));
        using var expected = PyTorchFixtures.Tensor(json.GetProperty("output"));
        using var output = net.forward(input);
        using var difference = (output - expected).abs().max();
        Assert.True(difference.item<float>() < 1e-5f, $"largest difference {difference.item<float>()}");
        Assert.Equal(17L, ((BatchNorm2d)net[1]).num_batches_tracked!.item<long>());
    }

    [Fact]
    public void MisShapedKeyIsNamedAndNothingIsCopied()
    {
        using var net = TinyNet(fcOutputs: 6);
        using var before = ((Conv2d)net[0]).weight!.clone();
        var error = Assert.Throws<MarginFaceException>(() => PyTorchImporter.Load(TinyNetPath, net, "tiny net"));
        Assert.Equal($"{TinyNetPath}: 'fc.weight' has shape [5, 36] in the checkpoint but [6, 36] in tiny net", error.Message);
        Assert.True(before.equal(((Conv2d)net[0]).weight!).all().item<bool>());
    }

    [Fact]
    public void KeyTheModelLacksIsNamed()
    {
        using var net = TinyNet(withFeatures: false);
        var error = Assert.Throws<MarginFaceException>(() => PyTorchImporter.Load(TinyNetPath, net, "tiny net"));
        Assert.Equal($"{TinyNetPath}: 'features.weight' is in the checkpoint but not in tiny net; is it a checkpoint of another architecture?", error.Message);
    }

    [Fact]
    public void KeyTheCheckpointLacksIsNamed()
    {
        using var net = TinyNet(withExtraLayer: true);
        var error = Assert.Throws<MarginFaceException>(() => PyTorchImporter.Load(TinyNetPath, net, "tiny net"));
        Assert.Equal($"{TinyNetPath}: 'head.weight' of tiny net is missing from the checkpoint", error.Message);
    }
}
