using MarginFace.Data;

namespace MarginFace.Training;

/// <summary>Settings of a <see cref="Trainer"/> run.</summary>
public sealed record TrainerOptions
{
    public int Epochs { get; init; } = 1;

    public int BatchSize { get; init; } = 128;

    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>Seeds the per-epoch batch order: epoch e uses a generator seeded with (Seed, e), so a resumed run sees the same batches.</summary>
    public int Seed { get; init; }

    /// <summary>Random transform of every training batch; step s of epoch e draws from a generator seeded with (Seed, e, s), so resume replays it.</summary>
    public IBatchAugmentation? Augmentation { get; init; }

    /// <summary>When set, the gradients of the backbone and the objective are rescaled to this total L2 norm at most before each step.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>Where to write the checkpoint after every epoch and on interruption; null writes none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// A description of everything that determines the numbers (configuration as JSON); stored in checkpoints, and a
    /// resume from a checkpoint with a different fingerprint is refused.
    /// </summary>
    public string Fingerprint { get; init; } = "";
}
