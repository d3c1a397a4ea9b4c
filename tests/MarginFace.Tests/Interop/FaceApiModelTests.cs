using Xunit.Abstractions;
using MarginFace.Interop.FaceApi;
using static TorchSharp.torch;

namespace MarginFace.Tests.Interop;

[Trait("Category", "Integration")]
public class FaceApiModelTests(ITestOutputHelper output) : TorchTest
{
    private const int Pairs = 25;

    /// <summary>The deep-funneled face fills about the centre 110×110 of LFW's 250×250 (fold 1, 600 pairs, at 0.6: 96.8 % with 110, 95.2 % with 130, 88.2 % with 150).</summary>
    private const int Crop = 110;

    private static Tensor Embed(FaceApiResNet network, IEnumerable<string> paths)
    {
        using var scope = NewDisposeScope();
        var pixels = stack(paths.Select(path => LfwFaces.CentreCrop(path, Crop, FaceApiResNet.InputSize)).ToArray());
        using var noGrad = no_grad();
        return network.forward(FaceApiResNet.Normalize(pixels)).MoveToOuterDisposeScope();
    }

    private static float[] Distances(FaceApiResNet network, List<(string A, string B)> pairs)
    {
        using var a = Embed(network, pairs.Select(p => p.A));
        using var b = Embed(network, pairs.Select(p => p.B));
        using var distance = (a - b).norm(1);
        return distance.data<float>().ToArray();
    }

    [FaceApiFact]
    public void PortGivesFaceApisOwnDescriptorTo1e4()
    {
        using var network = FaceApiModel.Load(FaceApiTestModel.Cache.EnsureAvailable());
        var json = PyTorchFixtures.Json("faceapi_descriptor.json");
        var expected = json.GetProperty("descriptor").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        using var scope = NewDisposeScope();
        var y = arange(150, ScalarType.Int64).view(1, 1, 150, 1);
        var x = arange(150, ScalarType.Int64).view(1, 1, 1, 150);
        var c = arange(3, ScalarType.Int64).view(1, 3, 1, 1);
        var pixels = (y * 7 + x * 13 + c * 50).remainder(256);
        using var noGrad = no_grad();
        var descriptor = network.forward(FaceApiResNet.Normalize(pixels)).data<float>().ToArray();
        var difference = descriptor.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"largest difference to face-api {difference:E2} (descriptor norm {Math.Sqrt(expected.Sum(v => v * v)):F3})");
        Assert.Equal(FaceApiResNet.EmbeddingSize, descriptor.Length);
        Assert.True(difference < 1e-4f, $"largest difference {difference}");
    }

    [FaceApiFact(needsLfw: true)]
    public void PretrainedDescriptorPutsOnePersonCloserThanTwoPeople()
    {
        using var network = FaceApiModel.Load(FaceApiTestModel.Cache.EnsureAvailable());
        var root = LfwFaces.Root!;
        var (same, different) = LfwFaces.Fold1Pairs(root, Pairs);
        var sameDistances = Distances(network, same);
        var differentDistances = Distances(network, different);
        var ordered = sameDistances.Sum(s => differentDistances.Count(d => s < d)) / (double)(Pairs * Pairs);
        var correct = sameDistances.Count(d => d < 0.6f) + differentDistances.Count(d => d >= 0.6f);
        output.WriteLine($"mean distance same {sameDistances.Average():F3}, different {differentDistances.Average():F3}; " +
                         $"P(same < different) {ordered:F3}; accuracy at face-api's 0.6 {correct}/{2 * Pairs}");
        Assert.True(sameDistances.Average() < differentDistances.Average());
        Assert.True(ordered > 0.9, $"P(same < different) = {ordered:F3}");
    }

    /// <summary>
    /// The figure of docs/interop.md for face-api's own threshold: all 600 pairs of LFW fold 1, centre 110×110 crops of the
    /// deep-funneled images, 96.8 % at distance 0.6 (581 of 600).
    /// </summary>
    [FaceApiFact(needsLfw: true)]
    public void OnLfwFold1CentreCropsFaceApisThresholdGivesTheDocumented96Point8Percent()
    {
        using var network = FaceApiModel.Load(FaceApiTestModel.Cache.EnsureAvailable());
        var (same, different) = LfwFaces.Fold1Pairs(LfwFaces.Root!, 300);
        Assert.Equal((300, 300), (same.Count, different.Count));
        var correct = same.Chunk(50).Sum(chunk => Distances(network, [.. chunk]).Count(d => d < 0.6f))
            + different.Chunk(50).Sum(chunk => Distances(network, [.. chunk]).Count(d => d >= 0.6f));
        var accuracy = 100.0 * correct / 600;
        output.WriteLine($"LFW fold 1, centre {Crop}x{Crop}, distance < 0.6: {correct}/600 = {accuracy:F2} %");
        Assert.Equal("96.8", accuracy.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
    }
}
