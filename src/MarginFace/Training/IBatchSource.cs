namespace MarginFace.Training;

/// <summary>
/// Where a <see cref="Trainer"/> reads its batches: tensors held in memory, or images decoded from disk on background
/// threads. Every batch is a pure function of (seed, epoch, step): the order of samples and any augmentation are drawn from
/// generators seeded by them, so a run resumed at (epoch, step) sees exactly the batches an uninterrupted run saw.
/// </summary>
public interface IBatchSource
{
    /// <summary>Number of steps (batches) in the 1-based <paramref name="epoch"/>.</summary>
    int Steps(int epoch);

    /// <summary>
    /// The batches of the 1-based <paramref name="epoch"/> from the 0-based <paramref name="startStep"/> on, in order, as CPU
    /// tensors. The caller disposes each batch; stopping the enumeration early stops any background work.
    /// </summary>
    IEnumerable<TrainingBatch> Read(int epoch, int startStep, CancellationToken cancellation = default);
}
