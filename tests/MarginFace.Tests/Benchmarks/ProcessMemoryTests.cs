using System.Runtime.InteropServices;
using MarginFace.Benchmarks;

namespace MarginFace.Tests.Benchmarks;

/// <summary>Runs alone: another test allocating between two readings would move the resident set under the assertions.</summary>
[Collection(SequentialTorchCollection.Name)]
public class ProcessMemoryTests
{
    private const int BlockMb = 256;

    [Fact]
    public void ResetPeakDropsTheHighWaterMarkOfAFreedBlockWhereLinuxAllowsIt()
    {
        // 256 MiB is above glibc's largest mmap threshold, so the block is unmapped when freed and the RSS falls back.
        var block = Marshal.AllocHGlobal((nint)BlockMb << 20);
        try
        {
            for (long offset = 0; offset < (long)BlockMb << 20; offset += 4096) Marshal.WriteByte(block, (int)offset, 1);
        }
        finally
        {
            Marshal.FreeHGlobal(block);
        }

        var peakBefore = ProcessMemory.PeakResidentMb();
        var residentBefore = ProcessMemory.ResidentMb();
        Assert.NotNull(peakBefore);
        Assert.True(peakBefore - residentBefore >= BlockMb * 0.75, $"peak {peakBefore} MiB, resident {residentBefore} MiB");
        if (!ProcessMemory.ResetPeak()) return;

        var peakAfter = ProcessMemory.PeakResidentMb();
        var residentAfter = ProcessMemory.ResidentMb();
        Assert.True(peakAfter - residentAfter < BlockMb * 0.25, $"after reset: peak {peakAfter} MiB, resident {residentAfter} MiB");
        Assert.True(ProcessMemory.PeakSince(residentAfter) >= residentAfter);
    }
}
