namespace MarginFace.Distributed;

/// <summary>
/// How this process was started: alone, or as one rank of <c>mpirun -np N …</c>, which Open MPI tells its processes through
/// the environment (OMPI_COMM_WORLD_SIZE, OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_LOCAL_RANK; PMIX_RANK under a PMIx launcher
/// such as <c>srun --mpi=pmix</c>). Nothing needs to be passed on the command line.
/// </summary>
public static class DistributedLaunch
{
    /// <summary>True when the environment says an MPI launcher started this process.</summary>
    public static bool IsMpi => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null || Environment.GetEnvironmentVariable("PMIX_RANK") is not null;

    /// <summary>The rank among the processes on this machine (OMPI_COMM_WORLD_LOCAL_RANK), 0 when not given: the GPU index of one process per GPU.</summary>
    public static int LocalRank =>
        int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_RANK"), out var rank) && rank >= 0 ? rank : 0;

    /// <summary>The number of processes on this machine (OMPI_COMM_WORLD_LOCAL_SIZE), 1 when not given: they share its cores.</summary>
    public static int LocalSize =>
        int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), out var size) && size >= 1 ? size : 1;

    /// <summary>
    /// The device of this rank for a <c>--device</c> text: a bare <c>cuda</c> in a multi-process run is
    /// <c>cuda:</c><see cref="LocalRank"/> (one process per GPU); anything else as given.
    /// </summary>
    public static string DeviceFor(string device, int ranks) =>
        ranks > 1 && device.Trim().Equals("cuda", StringComparison.OrdinalIgnoreCase) ? $"cuda:{LocalRank}" : device;

    /// <summary>Joins the MPI job when <see cref="IsMpi"/> (the caller disposes it at the end, on every rank), else <see cref="SingleProcess.Instance"/>.</summary>
    public static ICollective Join() => IsMpi ? MpiCollective.Initialize() : SingleProcess.Instance;
}
