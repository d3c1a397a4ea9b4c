namespace MarginFace.Evaluation;

/// <summary>
/// What arcface_torch's verification rule (<see cref="ArcFaceVerificationRule"/>) gives: the accuracy of each of its folds at the
/// threshold (a squared euclidean distance; a pair is "same" below it) chosen on the other folds, their mean and population
/// standard deviation (NumPy's <c>np.std</c>, as arcface_torch prints "Accuracy-Flip: mean+-std"), and VAL (true accept rate) at
/// the threshold interpolated for a FAR of <see cref="ArcFaceVerificationRule.FarTarget"/>, with its standard deviation and the
/// mean FAR actually reached. VAL is NaN where a fold has no same or no different pair (arcface_torch divides by zero there).
/// </summary>
public sealed record ArcFaceVerificationResult(
    IReadOnlyList<double> FoldAccuracies,
    IReadOnlyList<double> FoldThresholds,
    double Accuracy,
    double AccuracyStd,
    double Val,
    double ValStd,
    double Far);
