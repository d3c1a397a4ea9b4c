namespace MarginFace.Runtime;

/// <summary>One entry of an ELF <c>.gnu.version_r</c> table: library <see cref="File"/> must provide version <see cref="Name"/>.</summary>
/// <param name="File">The needed library's soname, e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Name">The version, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Flags">Its <c>vna_flags</c>; <see cref="ElfSymbolVersions.WeakFlag"/> marks a need that may be absent.</param>
/// <param name="FlagsOffset">File offset of the two-byte <c>vna_flags</c> field.</param>
internal sealed record ElfVersionNeed(string File, string Name, ushort Flags, long FlagsOffset)
{
    public bool IsWeak => (Flags & ElfSymbolVersions.WeakFlag) != 0;
}
