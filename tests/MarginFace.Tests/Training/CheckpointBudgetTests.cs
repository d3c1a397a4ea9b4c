using TorchSharp.Modules;
using TorchSharp;
using MarginFace.Runtime;
using MarginFace.Tests.Runtime;
using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Tests.Training;

/// <summary>
/// Checkpoints whose module or optimiser state declares absurd sizes (issue 40): a one-line <see cref="MarginFaceException"/>
/// naming the file before TorchSharp allocates for them.
/// </summary>
public class CheckpointBudgetTests : TorchTest
{
    private readonly TempDirectory _temp = new();

    public override void Dispose()
    {
        _temp.Dispose();
        base.Dispose();
    }

    /// <summary>A Linear(4, 3) and a FlatSgd with momentum that has taken one step, so each parameter has a momentum buffer.</summary>
    internal sealed class SmallRun : IDisposable
    {
        public SmallRun()
        {
            torch.random.manual_seed(3);
            Module = nn.Linear(4, 3);
            Optimizer = new FlatSgd([new SGD.ParamGroup(Module.parameters(), lr: 0.1, momentum: 0.9)], 0.1);
            using var scope = NewDisposeScope();
            Module.forward(torch.randn(2, 4)).sum().backward();
            Optimizer.step();
        }

        public Linear Module { get; }

        public FlatSgd Optimizer { get; }

        public static TrainingCheckpointState State => new("fingerprint", 1, 2, 0.5, 1, 2, 0.1, []);

        public void Dispose()
        {
            Optimizer.Dispose();
            Module.Dispose();
        }
    }

    internal static byte[] SmallCheckpointBytes(TempDirectory temp)
    {
        using var run = new SmallRun();
        var path = temp.Combine($"small-{Guid.NewGuid():N}.ckpt");
        Checkpoint.Save(path, SmallRun.State, [run.Module], [run.Optimizer]);
        return File.ReadAllBytes(path);
    }

    private string Write(byte[] bytes)
    {
        var path = _temp.Combine($"hostile-{Guid.NewGuid():N}.ckpt");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Refused(string path)
    {
        using var run = new SmallRun();
        var error = Assert.Throws<MarginFaceException>(() => Checkpoint.Load(path, [run.Module], [run.Optimizer]));
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith($"{path}: ", error.Message);
        return error.Message[(path.Length + 2)..];
    }

    [Fact]
    public void SmallCheckpointLoads()
    {
        var path = Write(SmallCheckpointBytes(_temp));
        using var run = new SmallRun();
        var state = Checkpoint.Load(path, [run.Module], [run.Optimizer]);
        Assert.Equal(("fingerprint", 1, 2), (state.Fingerprint, state.Epoch, state.Step));
    }

    /// <summary>The scan knows Adam's layout (step, two moments, an optional max) as well as SGD's; an AdamW checkpoint loads too.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AdamCheckpointsLoad(bool decoupled)
    {
        nn.Module<Tensor, Tensor> Linear()
        {
            torch.random.manual_seed(4);
            return nn.Linear(4, 3);
        }
        OptimizerHelper Adam(nn.Module<Tensor, Tensor> module) => decoupled
            ? optim.AdamW(module.parameters(), lr: 0.01, amsgrad: true)
            : optim.Adam(module.parameters(), lr: 0.01);
        var path = _temp.Combine("adam.ckpt");
        using (var module = Linear())
        using (var optimizer = Adam(module))
        {
            module.forward(torch.randn(2, 4)).sum().backward();
            optimizer.step();
            Checkpoint.Save(path, SmallRun.State, [module], [optimizer]);
        }
        using var target = Linear();
        using var targetOptimizer = Adam(target);
        Assert.Equal(2, Checkpoint.Load(path, [target], [targetOptimizer]).Step);
    }

    [Theory]
    [InlineData(4294967295L)]
    [InlineData(-1L)]
    public void HugeOrNegativeRankInAModuleIsRefused(long rank)
    {
        var bytes = SmallCheckpointBytes(_temp);
        var layout = new TorchSharpFileLayout(bytes);
        layout.SkipHeader();
        var rankAt = layout.SkipModule();
        var path = Write(TorchSharpFileLayout.Splice(bytes, rankAt, 1, TorchSharpFileLayout.Leb128(rank)));
        Assert.Matches($"^'.+' of module 1 \\(.*\\) declares {rank} dimensions; at most {ReadLimits.MaxTensorRank} are accepted$", Refused(path));
    }

    /// <summary>
    /// The first momentum buffer becomes [2^20, 2^20] floats (4 TiB): TorchSharp would <c>torch.empty</c> it before reading
    /// a byte, since the optimiser state may hold tensors of any shape.
    /// </summary>
    [Fact]
    public void MomentumBufferLargerThanTheFileIsRefusedBeforeItIsAllocated()
    {
        var bytes = SmallCheckpointBytes(_temp);
        var layout = new TorchSharpFileLayout(bytes);
        layout.SkipHeader();
        layout.SkipModule();
        Assert.Equal("SGD", layout.ReadString());
        var groups = layout.ReadLeb128();
        layout.ReadLeb128();
        layout.Position += (int)groups * 42 + 1; // each group's options, then state 0's has-momentum flag
        Assert.Equal(6, layout.ReadLeb128()); // Float32
        var rankAt = layout.Position;
        var rank = layout.ReadLeb128();
        for (var d = 0; d < rank; d++) layout.ReadLeb128();
        var path = Write(TorchSharpFileLayout.Splice(bytes, rankAt, layout.Position - rankAt,
            [2, .. TorchSharpFileLayout.Leb128(1 << 20), .. TorchSharpFileLayout.Leb128(1 << 20)]));
        Assert.Matches($"^state 0 of optimiser 1 \\(Float32 \\[{1 << 20}, {1 << 20}\\]\\) needs {4L << 40} bytes, but only \\d+ remain in the file; it is damaged or cut short$", Refused(path));
    }

    [Fact]
    public void StateJsonLongerThanTheFileIsRefused()
    {
        var bytes = SmallCheckpointBytes(_temp);
        var layout = new TorchSharpFileLayout(bytes);
        layout.SkipHeader();
        var jsonAt = new TorchSharpFileLayout(bytes);
        jsonAt.ReadString();
        jsonAt.Position += 4;
        var at = jsonAt.Position;
        var length = jsonAt.ReadLeb128();
        var path = Write(TorchSharpFileLayout.Splice(bytes, at, jsonAt.Position - at, TorchSharpFileLayout.Leb128(int.MaxValue)));
        Assert.Equal($"not a valid MarginFace checkpoint (the state declares {int.MaxValue} bytes; the file is cut short or damaged)", Refused(path));
        Assert.True(length > 0);
    }
}
