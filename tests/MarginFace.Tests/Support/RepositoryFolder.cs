namespace MarginFace.Tests.Support;

/// <summary>The repository the tests were built from: the first folder above the test binaries that holds <c>MarginFace.slnx</c>.</summary>
public static class RepositoryFolder
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>A path under the repository's root, e.g. <c>Combine("configs")</c>.</summary>
    public static string Combine(params string[] parts) => Path.Combine([Root.Value, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MarginFace.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no MarginFace.slnx above {AppContext.BaseDirectory}");
    }
}
