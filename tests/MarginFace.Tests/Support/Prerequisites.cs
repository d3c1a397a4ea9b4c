namespace MarginFace.Tests.Support;

/// <summary>
/// What a test needs beyond the repository. Outside CI a test whose prerequisite is missing skips and says why; under
/// <c>CI=true</c> (as <c>.ci/run</c> sets it) the same test runs and fails, because CI is meant to have every prerequisite
/// (the shared data, npm, the committed fixtures): only opt-in measurements skip there.
/// </summary>
public static class Prerequisites
{
    /// <summary>True under CI: <c>CI</c> is <c>true</c> or <c>1</c>.</summary>
    public static bool InCi => Environment.GetEnvironmentVariable("CI") is { } ci && (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");

    /// <summary><paramref name="reason"/> outside CI; null under CI, so that the test runs and fails on what is missing.</summary>
    public static string? SkipOutsideCi(string? reason) => InCi || reason is null ? null : reason;

    /// <summary>The reason to skip when one of <paramref name="relative"/> (under <c>shared/</c>) is absent, else null.</summary>
    public static string? MissingSharedData(params string[] relative) =>
        relative.FirstOrDefault(r => !SharedData.Has(r)) is string missing
            ? $"needs the real data ../shared/{missing}, which is absent (MARGINFACE_SHARED=DIR names another shared folder)"
            : null;

    /// <summary>True when <c>npm</c> is on the PATH.</summary>
    public static bool NpmOnPath => OnPath("npm");

    /// <summary>True when <paramref name="command"/> is a file in a folder of the PATH.</summary>
    public static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(directory => File.Exists(Path.Combine(directory, command)));
}
