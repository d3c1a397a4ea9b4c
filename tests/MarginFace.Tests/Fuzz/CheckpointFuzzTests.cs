using Xunit.Abstractions;
using MarginFace.Tests.Training;
using MarginFace.Training;

namespace MarginFace.Tests.Fuzz;

/// <summary>Seeded mutations of a small training checkpoint (a Linear and its SGD momentum) through <see cref="Checkpoint.Load"/>.</summary>
public class CheckpointFuzzTests(ITestOutputHelper output) : TorchTest
{
    private readonly TempDirectory _temp = new();

    public override void Dispose()
    {
        _temp.Dispose();
        base.Dispose();
    }

    [Fact]
    public void MutatedCheckpointsLoadOrFailWithAMarginFaceException()
    {
        var valid = CheckpointBudgetTests.SmallCheckpointBytes(_temp);
        var path = _temp.Combine("mutated.ckpt");
        using var run = new CheckpointBudgetTests.SmallRun();
        var (cases, refused) = FuzzLoop.Run(valid, seed: 43, cases: 3000, TimeSpan.FromSeconds(2), bytes =>
        {
            File.WriteAllBytes(path, bytes);
            Checkpoint.ReadState(path);
            Checkpoint.Load(path, [run.Module], [run.Optimizer]);
        });
        output.WriteLine($"{cases} cases, {refused} refused");
        Assert.True(refused > 0 && cases > 0, $"{cases} cases, {refused} refused");
    }
}
