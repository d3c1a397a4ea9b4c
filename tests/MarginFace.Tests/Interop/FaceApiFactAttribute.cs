namespace MarginFace.Tests.Interop;

/// <summary>
/// A fact that needs npm (face-api's model is fetched once into a test cache) and, when asked, LFW in <c>../shared/data</c>
/// (pairs.txt and the deep-funneled images), other files under <c>../shared</c> (<paramref name="sharedData"/>), or node to run
/// face-api's JavaScript; skips, saying so, when any is missing, and fails under CI, which has them all.
/// </summary>
public sealed class FaceApiFactAttribute : FactAttribute
{
    public FaceApiFactAttribute(bool needsLfw = false, bool needsNode = false, params string[] sharedData)
    {
        string? missing = Prerequisites.MissingSharedData([.. needsLfw ? new[] { "data/lfw/pairs.txt", "data/lfw/lfw-deepfunneled" } : [], .. sharedData]);
        if (missing is null && needsNode && !Prerequisites.OnPath("node"))
            missing = "needs node on the PATH to run face-api's JavaScript (and npm to fetch its package)";
        if (missing is null && !File.Exists(FaceApiTestModel.Cache.ManifestPath) && !Prerequisites.NpmOnPath)
            missing = "needs npm to fetch @vladmandic/face-api (or its model files in the test cache)";
        Skip = Prerequisites.SkipOutsideCi(missing);
    }
}
