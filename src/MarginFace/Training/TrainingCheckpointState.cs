namespace MarginFace.Training;

/// <summary>Where training stood when a checkpoint was written; stored as JSON inside the checkpoint.</summary>
/// <param name="Fingerprint">The configuration the run was started with.</param>
/// <param name="Epoch">The epoch in progress (1-based), or the next epoch when <paramref name="Step"/> is 0.</param>
/// <param name="Step">Steps already done in <paramref name="Epoch"/>.</param>
/// <param name="LossSum">Sum of step losses so far in the epoch.</param>
/// <param name="Correct">Correctly classified training samples so far in the epoch.</param>
/// <param name="Seen">Training samples so far in the epoch.</param>
/// <param name="ElapsedSeconds">Time spent in the epoch so far.</param>
/// <param name="History">Results of finished epochs.</param>
/// <param name="ObjectiveState">The objective's state outside its modules' tensors (<see cref="TrainingObjective.ExtraState"/>).</param>
/// <param name="MixedPrecision">The precision and fp16 loss scaler of a mixed-precision run; null: float32.</param>
internal sealed record TrainingCheckpointState(
    string Fingerprint,
    int Epoch,
    int Step,
    double LossSum,
    long Correct,
    long Seen,
    double ElapsedSeconds,
    IReadOnlyList<EpochResult> History,
    IReadOnlyDictionary<string, double>? ObjectiveState = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    MixedPrecisionState? MixedPrecision = null);
