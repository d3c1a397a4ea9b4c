namespace MarginFace.Runtime;

/// <summary>What to do with a native library before loading it, given the system's libstdc++.</summary>
internal enum LibStdCxxAction
{
    /// <summary>The system provides every libstdc++ version the library needs: load it unchanged.</summary>
    LoadAsIs,
    /// <summary>Only harmless versions are missing: load a private copy whose needs for them are weak.</summary>
    LoadWeakenedCopy,
    /// <summary>A version whose symbols are really used is missing: the library cannot run here.</summary>
    Unsupported,
}

/// <summary>
/// The decision behind loading TorchSharp's <c>libLibTorchSharp.so</c> on older systems. It is built with GCC 13
/// and so needs <c>GLIBCXX_3.4.32</c>, whose only symbol is <c>std::ios_base_library_init()</c>, a marker GCC 13
/// emits for iostream initialisation that the library never calls. Debian 12 (GCC 12) lacks that version;
/// marking the need weak lets the loader accept the library, and nothing else changes.
/// </summary>
/// <param name="Action">What to do.</param>
/// <param name="Missing">The libstdc++ versions the library needs and the system lacks.</param>
internal sealed record LibStdCxxPlan(LibStdCxxAction Action, IReadOnlySet<string> Missing)
{
    /// <summary>Versions known to carry only symbols that TorchSharp's native code never calls.</summary>
    public static readonly IReadOnlySet<string> HarmlessVersions = new HashSet<string>(StringComparer.Ordinal) { "GLIBCXX_3.4.32" };

    /// <summary>Decides from the versions the library needs from libstdc++ and those the system's libstdc++ defines.</summary>
    public static LibStdCxxPlan Decide(IEnumerable<ElfVersionNeed> needs, IReadOnlySet<string> provided)
    {
        var missing = needs
            .Where(n => n.File.StartsWith("libstdc++", StringComparison.Ordinal) && !n.IsWeak && !provided.Contains(n.Name))
            .Select(n => n.Name)
            .ToHashSet(StringComparer.Ordinal);
        if (missing.Count == 0) return new LibStdCxxPlan(LibStdCxxAction.LoadAsIs, missing);
        var action = missing.All(HarmlessVersions.Contains) ? LibStdCxxAction.LoadWeakenedCopy : LibStdCxxAction.Unsupported;
        return new LibStdCxxPlan(action, missing);
    }
}
