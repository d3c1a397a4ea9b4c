namespace MarginFace.Tests.Evaluation;

/// <summary>Where the real LFW data lies: <c>../shared/data/lfw</c> from the repository root, found by walking up from the test binaries.</summary>
internal static class LfwData
{
    public static string Directory { get; } = Find();

    public static string PairsFile => Path.Combine(Directory, "pairs.txt");

    public static string ImagesDirectory => Path.Combine(Directory, "lfw-deepfunneled");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MarginFace.slnx")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "lfw"));
        }
        return Path.GetFullPath(Path.Combine("..", "shared", "data", "lfw"));
    }
}
