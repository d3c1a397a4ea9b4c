namespace MarginFace.Runtime;

/// <summary>
/// Where MarginFace keeps downloaded data and private native files:
/// <c>$MARGINFACE_CACHE</c>, else <c>$XDG_CACHE_HOME/marginface</c>, else <c>~/.cache/marginface</c>.
/// </summary>
internal static class CachePaths
{
    public const string CacheVariable = "MARGINFACE_CACHE";

    public static string Root
    {
        get
        {
            var explicitRoot = Environment.GetEnvironmentVariable(CacheVariable);
            if (!string.IsNullOrWhiteSpace(explicitRoot)) return Path.GetFullPath(explicitRoot);
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (!string.IsNullOrWhiteSpace(xdg)) return Path.Combine(xdg, "marginface");
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "marginface");
        }
    }
}
