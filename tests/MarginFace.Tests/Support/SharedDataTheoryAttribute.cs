namespace MarginFace.Tests.Support;

/// <summary>A theory that needs real data under <c>../shared</c> and skips, saying so, when it is absent; under CI it fails instead (as <see cref="SharedDataFactAttribute"/>).</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute(params string[] relative)
    {
        Skip = Prerequisites.SkipOutsideCi(Prerequisites.MissingSharedData(relative));
    }
}
