namespace MarginFace.Evaluation;

/// <summary>The result of <see cref="VerificationProtocol.Evaluate"/>: each fold's accuracy and threshold, their mean and its standard error.</summary>
public sealed record VerificationAccuracy(IReadOnlyList<FoldResult> Folds, double MeanAccuracy, double StandardError);
