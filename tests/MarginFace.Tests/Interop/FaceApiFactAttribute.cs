namespace MarginFace.Tests.Interop;

/// <summary>
/// A fact that needs npm (face-api's model is fetched once into a test cache) and, when asked, LFW in <c>../shared/data</c>
/// (pairs.txt and the deep-funneled images), or node to run face-api's JavaScript; skips, saying so, when either is missing, and fails under CI, which has both.
/// </summary>
public sealed class FaceApiFactAttribute : FactAttribute
{
    public FaceApiFactAttribute(bool needsLfw = false, bool needsNode = false)
    {
        string? missing = needsLfw ? Prerequisites.MissingSharedData("data/lfw/pairs.txt", "data/lfw/lfw-deepfunneled") : null;
        if (missing is null && needsNode && !Prerequisites.OnPath("node"))
            missing = "needs node on the PATH to run face-api's JavaScript (and npm to fetch its package)";
        if (missing is null && !File.Exists(FaceApiTestModel.Cache.ManifestPath) && !Prerequisites.NpmOnPath)
            missing = "needs npm to fetch @vladmandic/face-api (or its model files in the test cache)";
        Skip = Prerequisites.SkipOutsideCi(missing);
    }
}
