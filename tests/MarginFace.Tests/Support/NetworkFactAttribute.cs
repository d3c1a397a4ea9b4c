namespace MarginFace.Tests.Support;

/// <summary>A fact that runs only when <c>MARGINFACE_NETWORK_TESTS=1</c>, because it reaches the npm registry.</summary>
public sealed class NetworkFactAttribute : FactAttribute
{
    public NetworkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("MARGINFACE_NETWORK_TESTS") != "1")
            Skip = "reaches the npm registry; set MARGINFACE_NETWORK_TESTS=1 to run";
    }
}
