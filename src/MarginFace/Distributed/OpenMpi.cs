using System.Runtime.InteropServices;

namespace MarginFace.Distributed;

/// <summary>
/// The few functions of Open MPI's C API (libmpi.so.40, Open MPI 4 and 5) that <see cref="MpiCollective"/> calls. Hand-written
/// because the one .NET binding on NuGet, MPI.NET 1.4.0 (2019), is built for Microsoft MPI only: on Linux it looks for
/// <c>msmpi.dll</c> and uses MS-MPI's integer handles, where Open MPI's handles are the addresses of global objects
/// (<c>MPI_COMM_WORLD</c> is <c>&amp;ompi_mpi_comm_world</c>), which <see cref="Handle"/> reads with <see cref="NativeLibrary.GetExport"/>.
/// </summary>
internal static partial class OpenMpi
{
    public const string Library = "libmpi.so.40";

    /// <summary>MPI_THREAD_SERIALIZED: any thread may call MPI, one at a time.</summary>
    public const int ThreadSerialized = 2;

    /// <summary>Open MPI's MPI_IN_PLACE, <c>(void*)1</c>.</summary>
    public static readonly IntPtr InPlace = 1;

    private static IntPtr library;

    /// <summary>Loads libmpi (once); a missing or foreign library is a one-line error.</summary>
    public static void Load()
    {
        if (library != 0) return;
        try
        {
            library = NativeLibrary.Load(Library);
        }
        catch (DllNotFoundException e)
        {
            throw new MarginFaceException($"started by mpirun, but Open MPI's {Library} cannot be loaded ({e.Message.Split(':')[0].Trim()}); install Open MPI 4 or 5 (Debian: apt-get install openmpi-bin libopenmpi-dev)");
        }
    }

    /// <summary>The address of the global object <paramref name="symbol"/> (e.g. ompi_mpi_comm_world), which is Open MPI's handle for it.</summary>
    public static IntPtr Handle(string symbol)
    {
        Load();
        return NativeLibrary.TryGetExport(library, symbol, out var address)
            ? address
            : throw new MarginFaceException($"{Library} has no symbol {symbol}: not Open MPI's library (MPICH and Intel MPI are not supported)");
    }

    [LibraryImport(Library)]
    public static partial int MPI_Initialized(out int flag);

    [LibraryImport(Library)]
    public static partial int MPI_Finalized(out int flag);

    [LibraryImport(Library)]
    public static partial int MPI_Init_thread(IntPtr argc, IntPtr argv, int required, out int provided);

    [LibraryImport(Library)]
    public static partial int MPI_Finalize();

    [LibraryImport(Library)]
    public static partial int MPI_Comm_rank(IntPtr comm, out int rank);

    [LibraryImport(Library)]
    public static partial int MPI_Comm_size(IntPtr comm, out int size);

    [LibraryImport(Library)]
    public static partial int MPI_Allreduce(IntPtr sendBuffer, IntPtr receiveBuffer, int count, IntPtr datatype, IntPtr op, IntPtr comm);

    [LibraryImport(Library)]
    public static partial int MPI_Bcast(IntPtr buffer, int count, IntPtr datatype, int root, IntPtr comm);

    [LibraryImport(Library)]
    public static partial int MPI_Allgather(IntPtr sendBuffer, int sendCount, IntPtr sendType, IntPtr receiveBuffer, int receiveCount, IntPtr receiveType, IntPtr comm);

    [LibraryImport(Library)]
    public static partial int MPI_Gather(IntPtr sendBuffer, int sendCount, IntPtr sendType, IntPtr receiveBuffer, int receiveCount, IntPtr receiveType, int root, IntPtr comm);

    [LibraryImport(Library)]
    public static partial int MPI_Barrier(IntPtr comm);

    [LibraryImport(Library)]
    public static partial int MPI_Abort(IntPtr comm, int errorCode);
}
