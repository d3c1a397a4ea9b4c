using System.Runtime.InteropServices;

namespace MarginFace.Runtime;

/// <summary>
/// Writes a file through a temporary sibling and a rename, so readers never see half a file; the data is forced to disk
/// before the rename and the directory after it, so that a power cut leaves the old file or the new one, never an empty one
/// (a rename can otherwise reach the disk before the data it names).
/// </summary>
internal static partial class AtomicFile
{
    /// <summary>Calls <paramref name="write"/> with a temporary path next to <paramref name="path"/>, then renames it into place.</summary>
    public static void Write(string path, Action<string> write)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(temp);
            FlushFile(temp);
            File.Move(temp, full, overwrite: true);
            FlushDirectory(directory);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, temp => File.WriteAllBytes(temp, bytes));

    public static void WriteAllText(string path, string text) => Write(path, temp => File.WriteAllText(temp, text));

    /// <summary>
    /// Forces the contents of the file at <paramref name="path"/> to disk: fsync of a read-only handle on Unix (so a file the
    /// writer made read-only, as <see cref="File.Copy(string, string)"/> of a read-only source does, is flushed too), and
    /// <see cref="FileStream.Flush(bool)"/> on Windows, whose FlushFileBuffers needs write access.
    /// </summary>
    public static void FlushFile(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            stream.Flush(flushToDisk: true);
            return;
        }
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (Fsync((int)handle.DangerousGetHandle()) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            throw new IOException($"{path}: fsync failed ({Marshal.GetPInvokeErrorMessage(error)})");
        }
    }

    /// <summary>
    /// Forces the entries of <paramref name="directory"/> (a rename into it) to disk: fsync of the directory opened read-only.
    /// Nothing to do on Windows, where a directory cannot be opened so and the rename is journaled with the file.
    /// </summary>
    public static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        var descriptor = Open(directory, ReadOnly | DirectoryFlag());
        if (descriptor < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            // A directory one may write but not read (mode -wx) cannot be opened to flush; the rename is done all the same.
            if (error is EAcces or EPerm) return;
            throw new IOException($"{directory}: cannot open the directory to flush it ({Marshal.GetPInvokeErrorMessage(error)})");
        }
        try
        {
            // Some file systems (and some containers' overlays) do not support fsync on a directory: EINVAL there means
            // there is nothing more to flush, not a failed write.
            if (Fsync(descriptor) != 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error is not (EInval or ENotSup)) throw new IOException($"{directory}: fsync failed ({Marshal.GetPInvokeErrorMessage(error)})");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    private const int ReadOnly = 0;
    private const int EPerm = 1;
    private const int EAcces = 13;
    private const int EInval = 22;
    private const int ENotSup = 95;

    /// <summary>O_DIRECTORY, whose value differs by system and processor; without it a plain read-only open still works.</summary>
    private static int DirectoryFlag() =>
        OperatingSystem.IsMacOS() ? 0x100000
        : !OperatingSystem.IsLinux() ? 0
        : RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000
        : RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 0x10000
        : 0;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
