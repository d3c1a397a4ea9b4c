using System.Buffers.Binary;
using System.Text;

namespace MarginFace.Runtime;

/// <summary>
/// Reads and edits the GNU symbol-versioning tables of a 64-bit little-endian ELF shared object:
/// <c>.gnu.version_r</c> (versions it needs from other libraries) and <c>.gnu.version_d</c> (versions it defines).
/// Layouts follow the Linux Standard Base, "Symbol Versioning".
/// </summary>
internal static class ElfSymbolVersions
{
    /// <summary><c>VER_FLG_WEAK</c>: the dynamic loader accepts a missing version instead of refusing the library.</summary>
    public const ushort WeakFlag = 0x2;

    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>Every version that <paramref name="elf"/> needs, with the library that must provide it.</summary>
    public static IReadOnlyList<ElfVersionNeed> ReadNeeds(ReadOnlySpan<byte> elf)
    {
        var result = new List<ElfVersionNeed>();
        foreach (var section in Sections(elf))
        {
            if (section.Type != ShtGnuVerneed) continue;
            var strings = SectionAt(elf, section.Link);
            long entry = section.Offset;
            for (uint i = 0; i < section.Info; i++)
            {
                var count = U16(elf, entry + 2);
                var file = CString(elf, strings.Offset + U32(elf, entry + 4));
                long aux = entry + U32(elf, entry + 8);
                for (int j = 0; j < count; j++)
                {
                    var name = CString(elf, strings.Offset + U32(elf, aux + 8));
                    result.Add(new ElfVersionNeed(file, name, U16(elf, aux + 4), aux + 4));
                    var nextAux = U32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                var next = U32(elf, entry + 12);
                if (next == 0) break;
                entry += next;
            }
        }
        return result;
    }

    /// <summary>Every version name that <paramref name="elf"/> defines (its <c>.gnu.version_d</c>).</summary>
    public static IReadOnlySet<string> ReadDefinitions(ReadOnlySpan<byte> elf)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in Sections(elf))
        {
            if (section.Type != ShtGnuVerdef) continue;
            var strings = SectionAt(elf, section.Link);
            long entry = section.Offset;
            for (uint i = 0; i < section.Info; i++)
            {
                var count = U16(elf, entry + 6);
                long aux = entry + U32(elf, entry + 12);
                for (int j = 0; j < count; j++)
                {
                    result.Add(CString(elf, strings.Offset + U32(elf, aux)));
                    var nextAux = U32(elf, aux + 4);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                var next = U32(elf, entry + 16);
                if (next == 0) break;
                entry += next;
            }
        }
        return result;
    }

    /// <summary>Returns a copy of <paramref name="elf"/> in which the needs named in <paramref name="versions"/> are weak.</summary>
    public static byte[] MarkWeak(ReadOnlySpan<byte> elf, IReadOnlySet<string> versions)
    {
        var copy = elf.ToArray();
        foreach (var need in ReadNeeds(elf))
        {
            if (!versions.Contains(need.Name)) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan((int)need.FlagsOffset, 2), (ushort)(need.Flags | WeakFlag));
        }
        return copy;
    }

    /// <summary>True when the bytes start a 64-bit little-endian ELF file, the only kind this class reads.</summary>
    public static bool IsElf64LittleEndian(ReadOnlySpan<byte> elf) =>
        elf.Length >= 64 && elf[0] == 0x7f && elf[1] == (byte)'E' && elf[2] == (byte)'L' && elf[3] == (byte)'F'
        && elf[4] == 2 && elf[5] == 1;

    private readonly record struct Section(uint Type, long Offset, long Size, uint Link, uint Info);

    private static List<Section> Sections(ReadOnlySpan<byte> elf)
    {
        if (!IsElf64LittleEndian(elf)) throw new InvalidDataException("not a 64-bit little-endian ELF file");
        long sectionTable = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.Slice(0x28, 8));
        int entrySize = U16(elf, 0x3A);
        int count = U16(elf, 0x3C);
        var sections = new List<Section>(count);
        for (int i = 0; i < count; i++)
        {
            long h = sectionTable + (long)i * entrySize;
            sections.Add(new Section(
                U32(elf, h + 4),
                (long)U64(elf, h + 24),
                (long)U64(elf, h + 32),
                U32(elf, h + 40),
                U32(elf, h + 44)));
        }
        return sections;
    }

    private static Section SectionAt(ReadOnlySpan<byte> elf, uint index)
    {
        var sections = Sections(elf);
        if (index >= sections.Count) throw new InvalidDataException($"section index {index} out of range");
        return sections[(int)index];
    }

    private static ushort U16(ReadOnlySpan<byte> b, long at) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(b, at, 2));
    private static uint U32(ReadOnlySpan<byte> b, long at) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(b, at, 4));
    private static ulong U64(ReadOnlySpan<byte> b, long at) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(b, at, 8));

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> b, long at, int length)
    {
        if (at < 0 || at + length > b.Length) throw new InvalidDataException($"ELF offset {at} is past the end of the file");
        return b.Slice((int)at, length);
    }

    private static string CString(ReadOnlySpan<byte> b, long at)
    {
        if (at < 0 || at >= b.Length) throw new InvalidDataException($"ELF string offset {at} is past the end of the file");
        var rest = b[(int)at..];
        var end = rest.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
    }
}
