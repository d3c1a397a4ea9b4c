using MarginFace.Runtime;
using NuGet.Common;
using NuGet.Configuration;
using NuGet.Packaging;
using NuGet.Packaging.Core;
using NuGet.Protocol;
using NuGet.Protocol.Core.Types;
using NuGet.Versioning;

namespace MarginFace.Cli.Runtime;

/// <summary>
/// Fetches one pinned <c>.nupkg</c> with NuGet's own client library from the user's configured package sources (the
/// <c>nuget.config</c> files NuGet itself reads: <see cref="Settings.LoadDefaultSettings(string)"/> from the working
/// directory up, then the user's), trying them in order, and checks it the way NuGet checks a lock file's pin: NuGet's
/// <c>contentHash</c> (<see cref="PackageArchiveReader.GetContentHash"/>: SHA-512, base64, of the package without its
/// signature, so that a repository's countersignature does not change it) must equal the pinned value.
/// </summary>
internal sealed class NuGetPackageFetcher(string id, string version, string contentHash) : IPackageFetcher
{
    /// <inheritdoc />
    public string Client => "NuGet";

    /// <summary>The enabled package sources, in the order NuGet lists them.</summary>
    public static IReadOnlyList<PackageSource> Sources() =>
        new PackageSourceProvider(Settings.LoadDefaultSettings(Environment.CurrentDirectory)).LoadPackageSources().Where(s => s.IsEnabled).ToList();

    /// <inheritdoc />
    public string Pack(string packageSpec, string destinationDirectory)
    {
        var sources = Sources();
        if (sources.Count == 0) throw new MarginFaceException("no NuGet package source is configured");
        var path = Path.Combine(destinationDirectory, $"{id}.{version}.nupkg".ToLowerInvariant());
        var failures = new List<string>();
        foreach (var source in sources)
        {
            try
            {
                if (TryCopy(source, path)) return Checked(path, source);
                failures.Add($"{source.Source}: not found");
            }
            catch (Exception e) when (e is FatalProtocolException or HttpRequestException or IOException or TaskCanceledException or UnauthorizedAccessException)
            {
                failures.Add($"{source.Source}: {FirstLine(e)}");
            }
            if (File.Exists(path)) File.Delete(path);
        }
        throw new MarginFaceException(string.Join("; ", failures));
    }

    private bool TryCopy(PackageSource source, string path)
    {
        // DirectDownload: straight into the staging file, without a second copy in NuGet's HTTP cache.
        using var cache = new SourceCacheContext { NoCache = true, DirectDownload = true };
        var repository = Repository.Factory.GetCoreV3(source);
        var finder = repository.GetResourceAsync<FindPackageByIdResource>().GetAwaiter().GetResult();
        if (finder is null) return false;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        return finder.CopyNupkgToStreamAsync(id, NuGetVersion.Parse(version), stream, cache, NullLogger.Instance, CancellationToken.None)
            .GetAwaiter().GetResult();
    }

    private string Checked(string path, PackageSource source)
    {
        var actual = ContentHash(path);
        if (!string.Equals(actual, contentHash, StringComparison.Ordinal))
            throw new MarginFaceException($"{id} {version} from {source.Source} has content hash (SHA-512) {actual}, expected {contentHash}; the cache was left unchanged");
        return path;
    }

    /// <summary>NuGet's content hash of a <c>.nupkg</c> (what lock files and <c>.nupkg.metadata</c> record).</summary>
    public static string ContentHash(string path)
    {
        try
        {
            using var reader = new PackageArchiveReader(path);
            return reader.GetContentHash(CancellationToken.None);
        }
        catch (Exception e) when (e is InvalidDataException or PackagingException)
        {
            throw new MarginFaceException($"{Path.GetFileName(path)}: not a valid NuGet package ({e.Message})");
        }
    }

    private static string FirstLine(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null && inner.Message.Length == 0) inner = inner.InnerException;
        return inner.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? inner.GetType().Name;
    }
}
