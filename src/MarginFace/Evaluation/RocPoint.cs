namespace MarginFace.Evaluation;

/// <summary>
/// One operating point of a <see cref="RocCurve"/>: accepting pairs whose score is at least <see cref="Threshold"/> accepts the fraction
/// <see cref="Far"/> of different-person pairs (false accept rate) and <see cref="Tar"/> of same-person pairs (true accept rate).
/// </summary>
public sealed record RocPoint(double Threshold, double Far, double Tar);
