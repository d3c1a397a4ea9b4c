using MarginFace.Runtime;

namespace MarginFace.Tests.Runtime;

public class LibStdCxxPlanTests
{
    private static readonly ElfVersionNeed[] GlueNeeds =
    [
        new("libstdc++.so.6", "GLIBCXX_3.4.30", 0, 0),
        new("libstdc++.so.6", "GLIBCXX_3.4.32", 0, 16),
        new("libc.so.6", "GLIBC_2.34", 0, 32),
    ];

    [Fact]
    public void LoadsAsIsWhenTheSystemProvidesEveryVersion()
    {
        var plan = LibStdCxxPlan.Decide(GlueNeeds, new HashSet<string> { "GLIBCXX_3.4.30", "GLIBCXX_3.4.32" });
        Assert.Equal(LibStdCxxAction.LoadAsIs, plan.Action);
        Assert.Empty(plan.Missing);
    }

    [Fact]
    public void LoadsAWeakenedCopyWhenOnlyTheIostreamMarkerVersionIsMissing()
    {
        var plan = LibStdCxxPlan.Decide(GlueNeeds, new HashSet<string> { "GLIBCXX_3.4.30" });
        Assert.Equal(LibStdCxxAction.LoadWeakenedCopy, plan.Action);
        Assert.Equal(["GLIBCXX_3.4.32"], plan.Missing);
    }

    [Fact]
    public void RefusesWhenAVersionWithRealSymbolsIsMissing()
    {
        var plan = LibStdCxxPlan.Decide(GlueNeeds, new HashSet<string> { "GLIBCXX_3.4.32" });
        Assert.Equal(LibStdCxxAction.Unsupported, plan.Action);
        Assert.Contains("GLIBCXX_3.4.30", plan.Missing);
    }

    [Fact]
    public void IgnoresNeedsThatAreAlreadyWeakOrFromOtherLibraries()
    {
        ElfVersionNeed[] needs = [new("libstdc++.so.6", "GLIBCXX_3.4.32", ElfSymbolVersions.WeakFlag, 0), new("libc.so.6", "GLIBC_9.99", 0, 16)];
        Assert.Equal(LibStdCxxAction.LoadAsIs, LibStdCxxPlan.Decide(needs, new HashSet<string>()).Action);
    }
}
