namespace MarginFace.Training;

/// <summary>
/// The lock a training run holds on its output folder while it trains (an exclusive lock on <c>.training.lock</c> there), so that
/// a second run, a resume or an overwrite started into the same folder is refused instead of both writing one checkpoint. The
/// operating system drops the lock when the process ends, however it ends; the empty file stays and means nothing by itself.
/// </summary>
internal sealed class TrainingRunLock : IDisposable
{
    /// <summary>The lock file's name in the output folder.</summary>
    public const string FileName = ".training.lock";

    private readonly FileStream stream;

    private TrainingRunLock(FileStream stream) => this.stream = stream;

    /// <summary>Takes the lock of <paramref name="outputDirectory"/> (made when missing), or throws naming the folder.</summary>
    public static TrainingRunLock Acquire(string outputDirectory) =>
        TryAcquire(outputDirectory) ?? throw new MarginFaceException($"{outputDirectory}: another process is training into this folder; wait for it to finish or use another folder");

    /// <summary>The lock, or null when another process holds it.</summary>
    public static TrainingRunLock? TryAcquire(string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        try
        {
            return new TrainingRunLock(new FileStream(Path.Combine(outputDirectory, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException) when (File.Exists(Path.Combine(outputDirectory, FileName)))
        {
            return null;
        }
    }

    /// <summary>True when a process is training into <paramref name="outputDirectory"/> now (nothing is made when it does not exist).</summary>
    public static bool IsHeld(string outputDirectory)
    {
        if (!File.Exists(Path.Combine(outputDirectory, FileName))) return false;
        using var probe = TryAcquire(outputDirectory);
        return probe is null;
    }

    public void Dispose() => stream.Dispose();
}
