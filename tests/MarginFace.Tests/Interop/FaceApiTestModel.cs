using MarginFace.Interop.FaceApi;

namespace MarginFace.Tests.Interop;

/// <summary>face-api's model fetched once through the normal path into a test cache under the system temp folder.</summary>
internal static class FaceApiTestModel
{
    /// <summary>The cache root the test cache lives under (for the classes that take a cache root).</summary>
    public static string CacheRoot { get; } = Path.Combine(Path.GetTempPath(), "marginface-tests", "cache");

    public static FaceApiModelCache Cache { get; } = new(cacheRoot: CacheRoot);
}
