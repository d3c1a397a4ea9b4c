using Xunit.Abstractions;
using MarginFace.FaceModels;
using MarginFace.Tests.FaceModels;

namespace MarginFace.Tests.Fuzz;

/// <summary>Seeded mutations of a small face model file through <see cref="FaceModelFile.Load"/> and <see cref="FaceModelFile.ReadInfo"/>.</summary>
public class FaceModelFileFuzzTests(ITestOutputHelper output) : TorchTest
{
    private readonly TempDirectory _temp = new();

    public override void Dispose()
    {
        _temp.Dispose();
        base.Dispose();
    }

    [Fact]
    public void MutatedFaceModelsLoadOrFailWithAMarginFaceException()
    {
        var valid = FaceModelFileBudgetTests.SmallModelBytes(_temp);
        var path = _temp.Combine("mutated.model");
        var (run, refused) = FuzzLoop.Run(valid, seed: 42, cases: 3000, TimeSpan.FromSeconds(4), bytes =>
        {
            File.WriteAllBytes(path, bytes);
            FaceModelFile.ReadInfo(path);
            FaceModelFile.Load(path).Dispose();
        });
        output.WriteLine($"{run} cases, {refused} refused");
        Assert.True(refused > 0 && run > 0, $"{run} cases, {refused} refused");
    }
}
