using MarginFace.Interop.FaceApi;

namespace MarginFace.Tests.Interop;

public class TfjsWeightManifestTests : TorchTest
{
    private readonly TempDirectory _temp = new();

    public override void Dispose()
    {
        _temp.Dispose();
        base.Dispose();
    }

    private string Write(string weights, byte[] bin, string binName = "w.bin")
    {
        File.WriteAllBytes(_temp.Combine(binName), bin);
        var path = _temp.Combine("manifest.json");
        File.WriteAllText(path, $$"""[{"paths":["{{binName}}"],"weights":[{{weights}}]}]""");
        return path;
    }

    [Fact]
    public void Float32AndQuantisedWeightsAreReadInOrder()
    {
        byte[] bin = [.. BitConverter.GetBytes(1.5f), .. BitConverter.GetBytes(-2.25f), 0, 10, 255, 0x10, 0x00];
        var path = Write(
            """
            {"name":"a","shape":[2],"dtype":"float32"},
            {"name":"b","shape":[1,3],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1}},
            {"name":"c","shape":[],"dtype":"float32","quantization":{"dtype":"uint16","scale":2,"min":1}}
            """, bin);
        var weights = TfjsWeightManifest.Read(path);
        Assert.Equal(["a", "b", "c"], weights.Select(w => w.Name));
        Assert.Equal([1.5f, -2.25f], weights[0].Values);
        Assert.Equal([1L, 3L], weights[1].Shape);
        Assert.Equal([-1f, 4f, 126.5f], weights[1].Values);
        Assert.Equal([33f], weights[2].Values);
    }

    [Fact]
    public void WeightsLongerThanTheBinaryAreRefusedBeforeReading()
    {
        var path = Write("""{"name":"huge","shape":[100000,100000],"dtype":"float32","quantization":{"dtype":"uint8","scale":1,"min":0}}""", new byte[16]);
        var error = Assert.Throws<MarginFaceException>(() => TfjsWeightManifest.Read(path));
        Assert.Equal($"{path}: weight 'huge' declares more than {1L << 28} elements", error.Message);

        path = Write("""{"name":"w","shape":[5],"dtype":"float32"}""", new byte[16]);
        error = Assert.Throws<MarginFaceException>(() => TfjsWeightManifest.Read(path));
        Assert.Equal($"{path}: weight 'w' ends at byte 20, but its weights files (w.bin) hold only 16 bytes", error.Message);
    }

    [Fact]
    public void TrailingBytesMissingFileAndEscapingPathAreOneLineErrors()
    {
        var path = Write("""{"name":"w","shape":[3],"dtype":"float32"}""", new byte[16]);
        Assert.Equal($"{path}: the weights take 12 bytes, but their files (w.bin) hold 16",
            Assert.Throws<MarginFaceException>(() => TfjsWeightManifest.Read(path)).Message);

        File.WriteAllText(path, """[{"paths":["../../etc/passwd"],"weights":[]}]""");
        Assert.Equal($"{path}: weights file '../../etc/passwd' lies outside the manifest's directory",
            Assert.Throws<MarginFaceException>(() => TfjsWeightManifest.Read(path)).Message);

        File.WriteAllText(path, """[{"paths":["absent.bin"],"weights":[]}]""");
        Assert.StartsWith($"{path}: weights file 'absent.bin' not found",
            Assert.Throws<MarginFaceException>(() => TfjsWeightManifest.Read(path)).Message);

        File.WriteAllText(path, """{"truncated": [""");
        var error = Assert.Throws<MarginFaceException>(() => TfjsWeightManifest.Read(path));
        Assert.StartsWith($"{path}: not a TensorFlow.js weights manifest (", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void OtherDTypesAreRefusedByName()
    {
        var path = Write("""{"name":"i","shape":[1],"dtype":"string"}""", new byte[4]);
        Assert.Equal($"{path}: weight 'i' has dtype 'string'; only float32 and int32 weights are read",
            Assert.Throws<MarginFaceException>(() => TfjsWeightManifest.Read(path)).Message);
    }

    [Fact]
    public void Int32WeightsAreReadAsTheirValues()
    {
        var path = Write("""{"name":"i","shape":[2],"dtype":"int32"}""", [.. BitConverter.GetBytes(-3), .. BitConverter.GetBytes(5118)]);
        Assert.Equal([-3f, 5118f], TfjsWeightManifest.Read(path).Single().Values);
    }

    [Fact]
    public void FaceApiLayoutIsTransposedIntoTorchsAndEveryParameterMustBeGiven()
    {
        using var network = new FaceApiResNet();
        var shapes = network.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        // TensorFlow's layout of every parameter, with distinct values: filters [kh,kw,in,out], fc [in,out].
        var weights = new List<TfjsWeight>();
        foreach (var (name, shape) in shapes)
        {
            var (tfName, tfShape) = name switch
            {
                "fc.weight" => ("fc", new[] { shape[1], shape[0] }),
                _ when name.EndsWith(".conv.weight") => (name[..^".conv.weight".Length].Replace('.', '/') + "/conv/filters", new[] { shape[2], shape[3], shape[1], shape[0] }),
                _ when name.EndsWith(".conv.bias") => (name[..^".conv.bias".Length].Replace('.', '/') + "/conv/bias", shape),
                _ when name.EndsWith(".scale_weight") => (name[..^".scale_weight".Length].Replace('.', '/') + "/scale/weights", shape),
                _ => (name[..^".scale_bias".Length].Replace('.', '/') + "/scale/biases", shape),
            };
            var count = tfShape.Aggregate(1L, (a, b) => a * b);
            weights.Add(new TfjsWeight(tfName, tfShape, Enumerable.Range(0, (int)count).Select(i => (float)i).ToArray()));
        }
        network.LoadWeights(weights, "synthetic");
        var parameters = network.state_dict();
        // conv64_1/conv1/conv/filters is [3,3,64,64]: element [kh=1,kw=2,in=5,out=7] sits at ((1·3+2)·64+5)·64+7.
        Assert.Equal(((1 * 3 + 2) * 64 + 5) * 64 + 7, parameters["conv64_1.conv1.conv.weight"][7, 5, 1, 2].item<float>());
        // fc is [256,128]: element [in=3,out=9] sits at 3·128+9.
        Assert.Equal(3 * 128 + 9, parameters["fc.weight"][9, 3].item<float>());

        var missing = weights.Where(w => w.Name != "conv32_down/scale/biases").ToList();
        var error = Assert.Throws<MarginFaceException>(() => new FaceApiResNet().LoadWeights(missing, "synthetic"));
        Assert.Equal("synthetic: no weight for 'conv32_down.scale_bias'", error.Message);
    }
}
