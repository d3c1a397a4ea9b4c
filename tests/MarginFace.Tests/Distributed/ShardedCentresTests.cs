using MarginFace.Distributed;
using MarginFace.Tests.Support;
using static TorchSharp.torch;

namespace MarginFace.Tests.Distributed;

/// <summary>
/// A rank holds only its shard of the Partial FC centres: its initial rows are the one-process matrix's bit for bit without
/// the rest being kept, the objective's tensors hold Count×D values three times (centres, gradient, momentum), and a
/// checkpoint gathered to rank 0 is in the one-process layout and gives each rank its rows back.
/// </summary>
public class ShardedCentresTests : TorchTest
{
    /// <summary>Same shape and the same values, element for element.</summary>
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.equal(b).all().item<bool>();

    /// <summary>
    /// nn.init.normal_ of the whole [C, D] against the rows drawn piece by piece: shapes below 16 elements, exactly 16, a
    /// tail that is not a multiple of 16, pieces of 16, 32 and 48 elements and the default; float32 and float64. The
    /// generator must also end where the whole draw leaves it.
    /// </summary>
    [Theory]
    [InlineData(7, 2, 2, 16)]
    [InlineData(8, 2, 2, 16)]
    [InlineData(9, 2, 3, 16)]
    [InlineData(101, 37, 2, 32)]
    [InlineData(101, 37, 3, 48)]
    [InlineData(1000, 8, 4, 1 << 20)]
    [InlineData(61, 3, 2, 48, true)]
    public void EachRanksInitialRowsAreTheOneProcessMatrixsRowsBitForBit(int classes, int features, int ranks, long piece, bool float64Centres = false)
    {
        var dtype = float64Centres ? ScalarType.Float64 : ScalarType.Float32;
        manual_seed(11);
        using var whole = empty(classes, features, dtype: dtype);
        using (no_grad()) nn.init.normal_(whole, 0, 0.01);
        using var next = rand(5);
        var parts = new List<Tensor>();
        for (var r = 0; r < ranks; r++)
        {
            var (start, count) = ShardedPartialFc.ShardRange(classes, r, ranks);
            manual_seed(11);
            parts.Add(ShardedPartialFc.InitialRows(classes, features, start, count, 0.01, dtype, piece));
            using var after = rand(5);
            Assert.True(Same(after, next), $"rank {r}: the generator ends elsewhere than after the whole draw");
        }
        using var joined = cat(parts, 0);
        Assert.True(Same(joined, whole), $"largest difference {(joined - whole).abs().max().to(ScalarType.Float64).item<double>()}");
        foreach (var part in parts) part.Dispose();
    }
}
