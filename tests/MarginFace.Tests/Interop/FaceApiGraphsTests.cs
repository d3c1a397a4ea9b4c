using System.Text.Json;
using System.Text.Json.Nodes;
using MarginFace.Interop.FaceApi;

namespace MarginFace.Tests.Interop;

/// <summary>The ONNX graphs of face-api's landmark, age/gender and expression networks use every weight and refuse manifests that do not fit.</summary>
[Trait("Category", "Integration")]
public class FaceApiGraphsTests
{
    [FaceApiFact]
    public void EachNetworkUsesEveryWeightOfItsManifest()
    {
        foreach (var net in new[] { FaceApiNet.Landmark68, FaceApiNet.Landmark68Tiny, FaceApiNet.AgeGender, FaceApiNet.Expression })
        {
            var graph = FaceApiGraphs.Build(net, FaceApiTestModel.Cache.EnsureAvailable(net));
            Assert.NotEmpty(graph.ToBytes());
        }
    }

    [FaceApiFact]
    public void AManifestWithoutAWeightIsAOneLineErrorNamingIt()
    {
        using var dir = new TempDirectory();
        var manifest = Rewrite(dir, weights => weights.RemoveAt(weights.Count - 1), trimBytes: 136 * 1);
        var error = Assert.Throws<MarginFaceException>(() => FaceApiGraphs.CreateSession(FaceApiNet.Landmark68Tiny, manifest, 1));
        Assert.Equal($"{manifest}: weight 'fc/bias' is missing", error.Message);
    }

    [FaceApiFact]
    public void AManifestWithAnUnusedWeightIsAOneLineErrorNamingIt()
    {
        using var dir = new TempDirectory();
        var manifest = Rewrite(dir, weights => weights.Add(new JsonObject { ["name"] = "extra/bias", ["shape"] = new JsonArray(4), ["dtype"] = "float32" }), trimBytes: -16);
        var error = Assert.Throws<MarginFaceException>(() => FaceApiGraphs.CreateSession(FaceApiNet.Landmark68Tiny, manifest, 1));
        Assert.Contains("weights not used by the graph: extra/bias", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    /// <summary>A copy of the tiny landmark manifest with its weight list edited and its .bin shortened (or, negative, lengthened).</summary>
    private static string Rewrite(TempDirectory dir, Action<JsonArray> edit, int trimBytes)
    {
        var source = FaceApiTestModel.Cache.EnsureAvailable(FaceApiNet.Landmark68Tiny);
        var json = JsonNode.Parse(File.ReadAllText(source))!.AsArray();
        var weights = json[0]!["weights"]!.AsArray();
        edit(weights);
        var bin = File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(source)!, "face_landmark_68_tiny_model.bin"));
        File.WriteAllBytes(dir.Combine("face_landmark_68_tiny_model.bin"), trimBytes >= 0 ? bin[..^trimBytes] : [.. bin, .. new byte[-trimBytes]]);
        var manifest = dir.Combine("face_landmark_68_tiny_model-weights_manifest.json");
        File.WriteAllText(manifest, json.ToJsonString(new JsonSerializerOptions()));
        return manifest;
    }
}
