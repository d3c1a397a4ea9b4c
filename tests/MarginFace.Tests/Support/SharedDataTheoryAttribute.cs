namespace MarginFace.Tests.Support;

/// <summary>A theory that needs real data under <c>../shared</c> and skips, saying so, when it is absent (as <see cref="SharedDataFactAttribute"/>).</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute(string relative)
    {
        if (!SharedData.Has(relative))
            Skip = $"needs the real data ../shared/{relative}, which is absent";
    }
}
