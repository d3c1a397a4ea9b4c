namespace MarginFace.Tests.Evaluation;

/// <summary>A fact that needs the real LFW pairs file (<c>../shared/data/lfw/pairs.txt</c> from the repository root); skipped when it is absent.</summary>
public sealed class LfwDataFactAttribute : FactAttribute
{
    public LfwDataFactAttribute()
    {
        if (!File.Exists(LfwData.PairsFile)) Skip = $"LFW is not on this machine ({LfwData.PairsFile} is absent)";
    }
}
