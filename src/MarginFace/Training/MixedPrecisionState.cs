namespace MarginFace.Training;

/// <summary>The precision of a run and its loss scaler's state, stored in checkpoints so that a resume is exact.</summary>
/// <param name="Precision">The backbone's arithmetic.</param>
/// <param name="LossScale">fp16: the scale S; otherwise null.</param>
/// <param name="GrowthTracker">fp16: finite steps in a row since S last changed; otherwise null.</param>
internal sealed record MixedPrecisionState(TrainingPrecision Precision, float? LossScale = null, int? GrowthTracker = null);
