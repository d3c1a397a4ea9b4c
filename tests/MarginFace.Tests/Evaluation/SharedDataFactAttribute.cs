namespace MarginFace.Tests.Evaluation;

/// <summary>A fact that needs a file or folder of the shared data (<c>../shared/data</c> from the repository root); skipped when it is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(params string[] parts)
    {
        var path = SharedData.Path(parts);
        if (!File.Exists(path) && !Directory.Exists(path)) Skip = $"shared data is not on this machine ({path} is absent)";
    }
}
