using MarginFace.Cli;

namespace MarginFace.Tests.Cli;

public class HugePageRelaunchTests
{
    private static readonly Version Bookworm = new(2, 36);

    [Fact]
    public void RelaunchesOnMadviseWithARecentGlibc() => Assert.True(HugePageRelaunch.ShouldRelaunch(null, null, Bookworm, "madvise"));

    [Fact]
    public void DoesNotRelaunchWhenTheTunableIsAlreadySet() =>
        Assert.False(HugePageRelaunch.ShouldRelaunch("glibc.malloc.hugetlb=0", null, Bookworm, "madvise"));

    [Fact]
    public void DoesNotRelaunchWhenOptedOut() => Assert.False(HugePageRelaunch.ShouldRelaunch(null, "1", Bookworm, "madvise"));

    [Fact]
    public void ZeroDoesNotOptOut() => Assert.True(HugePageRelaunch.ShouldRelaunch(null, "0", Bookworm, "madvise"));

    [Fact]
    public void DoesNotRelaunchOnAnOldGlibc() => Assert.False(HugePageRelaunch.ShouldRelaunch(null, null, new Version(2, 31), "madvise"));

    [Theory]
    [InlineData("always")]
    [InlineData("never")]
    [InlineData(null)]
    public void DoesNotRelaunchUnlessHugePagesAreMadvise(string? mode) => Assert.False(HugePageRelaunch.ShouldRelaunch(null, null, Bookworm, mode));

    [Fact]
    public void KeepsExistingTunables() =>
        Assert.Equal("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1", HugePageRelaunch.WithTunable("glibc.malloc.arena_max=2"));

    [Fact]
    public void ReadsTheBracketedHugePageMode() =>
        Assert.Equal("madvise", HugePageRelaunch.ParseTransparentHugePageMode("always [madvise] never\n"));
}
