using System.Buffers.Binary;

namespace MarginFace.Tests.Fuzz;

/// <summary>
/// Seeded mutations of a valid file for the readers' fuzz tests: bit flips, bytes and 32-bit words overwritten with
/// boundary values (0x00, 0x7F, 0x80, 0xFF, int.MaxValue, uint.MaxValue, ...), truncations and duplicated chunks; one to
/// three per case, half of them in the first 512 bytes where the headers, counts and lengths are. Hand-written rather than
/// SharpFuzz because SharpFuzz needs an instrumented assembly driven by AFL in a process of its own, which CI does not have;
/// a seeded mutator runs inside the test run, repeats exactly from its seed, and reaches the shallow faults these readers
/// guard against (lengths, counts, ranks, sizes, truncation).
/// </summary>
internal sealed class SeededMutator(int seed)
{
    private static readonly byte[] BoundaryBytes = [0x00, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0xff];
    private static readonly uint[] BoundaryWords = [0, 1, 0x7f, 0x80, 0xff, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xffff_fffe, 0x4000_0000];

    private readonly Random _random = new(seed);

    /// <summary>A mutated copy of <paramref name="original"/>; the same seed gives the same sequence of copies.</summary>
    public byte[] Mutate(byte[] original)
    {
        var bytes = original.ToArray();
        var rounds = 1 + _random.Next(3);
        for (var round = 0; round < rounds && bytes.Length > 0; round++)
        {
            var at = Position(bytes.Length);
            switch (_random.Next(6))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1:
                    bytes[at] = BoundaryBytes[_random.Next(BoundaryBytes.Length)];
                    break;
                case 2:
                    if (at + 4 <= bytes.Length)
                        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), BoundaryWords[_random.Next(BoundaryWords.Length)]);
                    break;
                case 3:
                    bytes = bytes[..at];
                    break;
                case 4:
                    var length = Math.Min(1 + _random.Next(64), bytes.Length - at);
                    var to = Position(bytes.Length);
                    bytes = [.. bytes[..to], .. bytes.AsSpan(at, length), .. bytes[to..]];
                    break;
                default:
                    var run = Math.Min(1 + _random.Next(16), bytes.Length - at);
                    bytes.AsSpan(at, run).Fill(BoundaryBytes[_random.Next(BoundaryBytes.Length)]);
                    break;
            }
        }
        return bytes;
    }

    private int Position(int length) => _random.Next(2) == 0 ? _random.Next(Math.Min(length, 512)) : _random.Next(length);
}
