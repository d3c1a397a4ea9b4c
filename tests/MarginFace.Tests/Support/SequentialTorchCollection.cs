namespace MarginFace.Tests.Support;

/// <summary>
/// Tests that compare numbers across runs (seeded training) must not share libtorch's global random generator with
/// tests running at the same time; classes in this collection run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SequentialTorchCollection
{
    public const string Name = "Sequential torch RNG";
}
