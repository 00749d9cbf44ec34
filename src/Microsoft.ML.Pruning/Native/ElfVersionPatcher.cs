using System.Buffers.Binary;
using System.Text;

namespace Microsoft.ML.Pruning.Native;

/// <summary>One entry of an ELF file's <c>.gnu.version_r</c> section: a symbol version the file needs from a library.</summary>
/// <param name="Library">The library the version is needed from, e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Version">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Flags">The <c>vna_flags</c> of the entry (<c>0x2</c> is <c>VER_FLG_WEAK</c>).</param>
/// <param name="FlagsOffset">File offset of the 16-bit <c>vna_flags</c> field.</param>
internal readonly record struct ElfVersionNeed(string Library, string Version, ushort Flags, int FlagsOffset)
{
    /// <summary>True when the dynamic loader treats a missing version as a warning, not an error.</summary>
    public bool IsWeak => (Flags & ElfVersionPatcher.VerFlagWeak) != 0;
}

/// <summary>
/// Reads the symbol-version tables of 64-bit little-endian ELF shared objects and marks needed versions weak.
/// </summary>
/// <remarks>
/// TorchSharp's native shim asks for a libstdc++ version that older distributions lack, only for a link-time
/// marker symbol that is never called. Setting <c>VER_FLG_WEAK</c> on that one requirement lets glibc load the
/// file; nothing else in the file changes, so the patch is a single flag per entry.
/// </remarks>
internal static class ElfVersionPatcher
{
    internal const ushort VerFlagWeak = 0x2;
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtStrtab = 3;

    /// <summary>Lists every version requirement (<c>Vernaux</c> entry) of an ELF file.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed 64-bit little-endian ELF file.</exception>
    public static IReadOnlyList<ElfVersionNeed> ReadVersionNeeds(ReadOnlySpan<byte> elf, string fileName)
    {
        var sections = ReadSections(elf, fileName);
        var result = new List<ElfVersionNeed>();
        foreach (var section in sections)
        {
            if (section.Type != ShtGnuVerneed)
            {
                continue;
            }

            var strings = StringTable(sections, section.Link, fileName);
            long entry = section.Offset;
            for (uint i = 0; i < section.Info; i++)
            {
                Require(elf, entry, 16, fileName, "a .gnu.version_r entry");
                ushort count = U16(elf, entry + 2);
                string library = ReadString(elf, strings, U32(elf, entry + 4), fileName);
                long aux = entry + U32(elf, entry + 8);
                for (int j = 0; j < count; j++)
                {
                    Require(elf, aux, 16, fileName, "a .gnu.version_r auxiliary entry");
                    ushort flags = U16(elf, aux + 4);
                    string version = ReadString(elf, strings, U32(elf, aux + 8), fileName);
                    result.Add(new ElfVersionNeed(library, version, flags, checked((int)(aux + 4))));
                    uint nextAux = U32(elf, aux + 12);
                    if (nextAux == 0)
                    {
                        break;
                    }

                    aux += nextAux;
                }

                uint next = U32(elf, entry + 12);
                if (next == 0)
                {
                    break;
                }

                entry += next;
            }
        }

        return result;
    }

    /// <summary>Lists the version names an ELF shared object defines (its <c>.gnu.version_d</c> section).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed 64-bit little-endian ELF file.</exception>
    public static IReadOnlySet<string> ReadVersionDefinitions(ReadOnlySpan<byte> elf, string fileName)
    {
        var sections = ReadSections(elf, fileName);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in sections)
        {
            if (section.Type != ShtGnuVerdef)
            {
                continue;
            }

            var strings = StringTable(sections, section.Link, fileName);
            long entry = section.Offset;
            for (uint i = 0; i < section.Info; i++)
            {
                Require(elf, entry, 20, fileName, "a .gnu.version_d entry");
                long aux = entry + U32(elf, entry + 12);
                Require(elf, aux, 8, fileName, "a .gnu.version_d auxiliary entry");
                names.Add(ReadString(elf, strings, U32(elf, aux), fileName));
                uint next = U32(elf, entry + 16);
                if (next == 0)
                {
                    break;
                }

                entry += next;
            }
        }

        return names;
    }

    /// <summary>
    /// Returns a copy of <paramref name="elf"/> in which the requirements on <paramref name="versions"/> from
    /// <paramref name="library"/> are marked weak. Every other byte is unchanged.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed, or does not need one of the versions.</exception>
    public static byte[] MarkWeak(ReadOnlySpan<byte> elf, string fileName, string library, IEnumerable<string> versions)
    {
        var needs = ReadVersionNeeds(elf, fileName);
        var patched = elf.ToArray();
        foreach (var version in versions)
        {
            var matches = needs.Where(n => n.Library == library && n.Version == version).ToList();
            if (matches.Count == 0)
            {
                throw new InvalidDataException(
                    $"'{fileName}' does not require version '{version}' of '{library}', so there is nothing to mark weak.");
            }

            foreach (var need in matches)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(patched.AsSpan(need.FlagsOffset), (ushort)(need.Flags | VerFlagWeak));
            }
        }

        return patched;
    }

    private readonly record struct Section(uint Type, long Offset, long Size, uint Link, uint Info);

    private static List<Section> ReadSections(ReadOnlySpan<byte> elf, string fileName)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException($"'{fileName}' is not an ELF file (bad magic number or shorter than an ELF header).");
        }

        if (elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException(
                $"'{fileName}' is not a 64-bit little-endian ELF file (class {elf[4]}, data encoding {elf[5]}).");
        }

        long shoff = checked((long)U64(elf, 0x28));
        ushort shentsize = U16(elf, 0x3a);
        ushort shnum = U16(elf, 0x3c);
        if (shnum == 0 || shentsize != 64)
        {
            throw new InvalidDataException($"'{fileName}' has no usable section header table (entries {shnum}, entry size {shentsize}).");
        }

        Require(elf, shoff, (long)shnum * shentsize, fileName, "the section header table");
        var sections = new List<Section>(shnum);
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * shentsize;
            var s = new Section(U32(elf, h + 4), checked((long)U64(elf, h + 24)), checked((long)U64(elf, h + 32)), U32(elf, h + 40), U32(elf, h + 44));
            if (s.Type != 8 /* SHT_NOBITS */ && s.Type != 0)
            {
                Require(elf, s.Offset, s.Size, fileName, $"section {i}");
            }

            sections.Add(s);
        }

        return sections;
    }

    private static Section StringTable(List<Section> sections, uint index, string fileName)
    {
        if (index >= sections.Count || sections[(int)index].Type != ShtStrtab)
        {
            throw new InvalidDataException($"'{fileName}' has a version section whose string table link ({index}) is not a string table.");
        }

        return sections[(int)index];
    }

    private static string ReadString(ReadOnlySpan<byte> elf, Section table, uint offset, string fileName)
    {
        if (offset >= table.Size)
        {
            throw new InvalidDataException($"'{fileName}' has a string offset ({offset}) outside its string table.");
        }

        var span = elf.Slice((int)(table.Offset + offset), (int)(table.Size - offset));
        int end = span.IndexOf((byte)0);
        if (end < 0)
        {
            throw new InvalidDataException($"'{fileName}' has an unterminated string in its string table.");
        }

        return Encoding.ASCII.GetString(span[..end]);
    }

    private static void Require(ReadOnlySpan<byte> elf, long offset, long length, string fileName, string what)
    {
        if (offset < 0 || length < 0 || offset + length > elf.Length)
        {
            throw new InvalidDataException($"'{fileName}' is truncated or corrupt: {what} lies outside the file.");
        }
    }

    private static ushort U16(ReadOnlySpan<byte> b, long at) => BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(checked((int)at), 2));

    private static uint U32(ReadOnlySpan<byte> b, long at) => BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(checked((int)at), 4));

    private static ulong U64(ReadOnlySpan<byte> b, long at) => BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(checked((int)at), 8));
}
