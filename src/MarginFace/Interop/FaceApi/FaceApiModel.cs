using MarginFace.Runtime;

namespace MarginFace.Interop.FaceApi;

/// <summary>face-api's pretrained 128-D face descriptor, ready to embed (see <see cref="FaceApiResNet"/> for its input).</summary>
internal static class FaceApiModel
{
    /// <summary>The network with face-api's weights, in eval mode; fetched into the cache on first use.</summary>
    public static FaceApiResNet Load(IPackageFetcher? fetcher = null, string? cacheRoot = null, IProgress<string>? log = null) =>
        Load(new FaceApiModelCache(fetcher, cacheRoot).EnsureAvailable(log));

    /// <summary>The network with the weights of the manifest <paramref name="manifestPath"/>, in eval mode.</summary>
    public static FaceApiResNet Load(string manifestPath)
    {
        var weights = TfjsWeightManifest.Read(manifestPath);
        var network = new FaceApiResNet();
        try
        {
            network.LoadWeights(weights, manifestPath);
            network.eval();
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}
