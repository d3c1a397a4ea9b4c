using MarginFace.Losses.Mining;

namespace MarginFace.Data;

/// <summary>
/// How an <see cref="ImageFolderBatchSource"/> batches and decodes: <see cref="BatchSize"/> images per step; the last partial
/// batch of an epoch dropped (<see cref="DropLast"/>, the training default) or kept; <see cref="Workers"/> decoding threads
/// that run ahead of the trainer by at most <see cref="Prefetch"/> batches; <see cref="Warning"/> told (path, problem) once
/// per unreadable file; <see cref="Pk"/> for P×K batches; <see cref="Crops"/> to crop each file once; the run fails when more than <see cref="MaxBadFraction"/> of the images are unreadable.
/// </summary>
public sealed record ImageFolderBatchOptions(int BatchSize, long Seed = 0, int Workers = 1)
{
    /// <summary>Drop an epoch's last partial batch (true: every step has <see cref="BatchSize"/> images, as batch norm prefers).</summary>
    public bool DropLast { get; init; } = true;

    /// <summary>Batches decoded ahead of the consumer, across all workers; by default two per worker.</summary>
    public int? Prefetch { get; init; }

    /// <summary><see cref="Prefetch"/>, or two batches per worker when it is not set.</summary>
    public int PrefetchBatches => Prefetch ?? 2 * Math.Max(1, Workers);

    /// <summary>Largest fraction of unreadable images tolerated (skipped and reported) before the run fails; 1 %.</summary>
    public double MaxBadFraction { get; init; } = 0.01;

    /// <summary>Told (path, problem) once for each unreadable file; null: silent.</summary>
    public Action<string, string>? Warning { get; init; }

    /// <summary>P×K batches (pair and triplet losses) instead of a shuffle; <see cref="BatchSize"/> must be P·K.</summary>
    public PkBatchPlan? Pk { get; init; }

    /// <summary>Where each file's cropped face is kept after its first read (the same batches, without decoding every epoch); null: none.</summary>
    public FaceCropCache? Crops { get; init; }
}
