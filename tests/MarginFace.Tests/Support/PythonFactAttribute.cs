namespace MarginFace.Tests.Support;

/// <summary>
/// A fact that runs <c>python3</c> (CPython's own pickle reads what MarginFace writes): skips, saying so, where python3 is not
/// on the PATH, except under CI, where .ci/run installs it and its absence fails the test.
/// </summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute()
    {
        if (!Prerequisites.OnPath("python3")) Skip = Prerequisites.SkipOutsideCi("python3 is not on the PATH");
    }
}
