namespace MarginFace.Evaluation;

/// <summary>
/// One test fold of <see cref="VerificationProtocol"/>: the <see cref="Threshold"/> chosen on the other folds, and the fraction of this fold's
/// <see cref="Pairs"/> it classifies correctly (a pair is called "same" when its score is greater than the threshold).
/// </summary>
public sealed record FoldResult(double Accuracy, double Threshold, int Pairs);
