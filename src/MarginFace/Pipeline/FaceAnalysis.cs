namespace MarginFace.Pipeline;

/// <summary>
/// What <see cref="FaceAnalyzer"/> estimates of one face: age in years (face-api's regression output as is), the likelier
/// gender and its softmax probability (≥ 0.5), and the seven expression probabilities in <see cref="ExpressionNames"/>' order
/// (a softmax: they sum to 1).
/// </summary>
public sealed record FaceAnalysis(float Age, FaceGender Gender, float GenderProbability, IReadOnlyList<float> Expressions)
{
    /// <summary>face-api's <c>FACE_EXPRESSION_LABELS</c>, the order of <see cref="Expressions"/>.</summary>
    public static IReadOnlyList<string> ExpressionNames { get; } = ["neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"];

    /// <summary>The most probable expression and its probability (the first of equals).</summary>
    public (string Name, float Probability) TopExpression
    {
        get
        {
            var best = 0;
            for (var i = 1; i < Expressions.Count; i++)
                if (Expressions[i] > Expressions[best]) best = i;
            return (ExpressionNames[best], Expressions[best]);
        }
    }

    /// <summary>The probability of expression <paramref name="name"/> (one of <see cref="ExpressionNames"/>).</summary>
    public float Expression(string name)
    {
        var index = ExpressionNames.ToList().IndexOf(name);
        if (index < 0) throw new ArgumentException($"'{name}' is not one of {string.Join(", ", ExpressionNames)}", nameof(name));
        return Expressions[index];
    }
}
