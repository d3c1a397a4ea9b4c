using MarginFace.Models;
using MarginFace.Runtime;
using MarginFace.Training;

namespace MarginFace.Tests.Configs;

/// <summary>The training configs kept in the repository's <c>configs/</c> folder (the LFW protocol recipes of docs/evaluation.md).</summary>
public class RepositoryConfigsTests : TorchTest
{
    public static TheoryData<string> Files => new(Directory.GetFiles(Folder(), "*.json").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryConfigReadsAsAValidTrainingConfigWithAKnownBackbone(string file)
    {
        var options = JsonConfig.Read<FaceTrainingOptions>(Path.Combine(Folder(), file));
        (options with { Data = Path.GetTempPath() }).Validate();
        Assert.Contains(BackboneFactory.CheckName(options.Backbone), new[] { "mobilefacenet64", "mobilefacenet96" });
        Assert.Equal(20, options.Epochs);
    }

    private static string Folder() => RepositoryFolder.Combine("configs");
}
