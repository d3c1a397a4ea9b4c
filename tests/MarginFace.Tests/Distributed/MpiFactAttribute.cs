using MarginFace.Tests.Support;

namespace MarginFace.Tests.Distributed;

/// <summary>A test that runs the tool under Open MPI's <c>mpirun</c>: skipped outside CI when mpirun is not on the PATH; under CI it runs and fails (.ci/run installs Open MPI).</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        Skip = Prerequisites.SkipOutsideCi(Prerequisites.OnPath("mpirun") ? null : "needs Open MPI's mpirun (apt-get install openmpi-bin libopenmpi-dev)");
    }
}
