using MarginFace.Interop.FaceApi;

namespace MarginFace.Tests.Interop;

/// <summary>face-api's model fetched once through the normal path into a test cache under the system temp folder.</summary>
internal static class FaceApiTestModel
{
    public static FaceApiModelCache Cache { get; } = new(cacheRoot: Path.Combine(Path.GetTempPath(), "marginface-tests", "cache"));
}
