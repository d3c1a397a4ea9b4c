namespace MarginFace.Tests.Evaluation;

/// <summary>Where the real data lies: <c>../shared/data</c> from the repository root, found by walking up from the test binaries.</summary>
internal static class SharedData
{
    public static string Directory { get; } = Find();

    public static string LfwPairsFile => Path("lfw", "pairs.txt");

    public static string LfwImagesDirectory => Path("lfw", "lfw-deepfunneled");

    public static string OrlDirectory => Path("orl_faces");

    public static string Path(params string[] parts) => System.IO.Path.Combine([Directory, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "MarginFace.slnx")))
                return System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "data"));
        }
        return System.IO.Path.GetFullPath(System.IO.Path.Combine("..", "shared", "data"));
    }
}
