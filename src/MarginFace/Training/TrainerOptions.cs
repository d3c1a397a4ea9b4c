namespace MarginFace.Training;

/// <summary>Settings of a <see cref="Trainer"/> run.</summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the batch source.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Learning-rate schedule and warm-up, applied to every parameter group's initial rate before each step.</summary>
    public LearningRatePlan LearningRate { get; init; } = new();

    /// <summary>Seeds the shuffle of <see cref="Trainer.Fit(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, int, ITrainingCallback?, CancellationToken)"/>.</summary>
    public int Seed { get; init; }

    /// <summary>When set, the gradients of the backbone and the objective are rescaled to this total L2 norm at most before each step.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>Where to write the checkpoint after every epoch and on interruption; null writes none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Also write the checkpoint every this many steps within an epoch (null: only at epoch ends).</summary>
    public int? SaveEverySteps { get; init; }

    /// <summary>
    /// A description of everything that determines the numbers (configuration as JSON); stored in checkpoints, and a
    /// resume from a checkpoint with a different fingerprint is refused.
    /// </summary>
    public string Fingerprint { get; init; } = "";
}
