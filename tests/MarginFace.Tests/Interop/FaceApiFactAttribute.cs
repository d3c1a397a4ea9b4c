namespace MarginFace.Tests.Interop;

/// <summary>A fact that needs npm (face-api's model is fetched once into a test cache) and, when asked, LFW in <c>../shared/data</c>.</summary>
public sealed class FaceApiFactAttribute : FactAttribute
{
    public FaceApiFactAttribute(bool needsLfw = false)
    {
        if (needsLfw && LfwFaces.Root is null)
            Skip = "needs ../shared/data/lfw (LFW deep-funneled and pairs.txt)";
        else if (!File.Exists(FaceApiTestModel.Cache.ManifestPath) && !OnPath("npm"))
            Skip = "needs npm to fetch @vladmandic/face-api (or its model files in the test cache)";
    }

    private static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
        .Any(directory => File.Exists(Path.Combine(directory, command)));
}
