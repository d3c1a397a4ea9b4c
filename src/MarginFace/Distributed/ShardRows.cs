using static TorchSharp.torch;

namespace MarginFace.Distributed;

/// <summary>
/// Reads a rank's rows of a matrix that TorchSharp's <c>Tensor.Save</c> wrote whole (element type, rank and dimensions as
/// LEB128, then the raw little-endian elements, row after row): the header is checked against [rows, D] of the target's
/// type, the rows before the shard are skipped, the shard's read in pieces of at most 16 MiB, the rest skipped. The stream
/// must be seekable (a checkpoint file).
/// </summary>
internal static class ShardRows
{
    private const long PieceBytes = 16 << 20;

    /// <summary>Rows [<paramref name="start"/>, <paramref name="start"/> + target rows) of the saved [<paramref name="rows"/>, D] matrix into <paramref name="target"/> [n, D].</summary>
    public static void Read(BinaryReader reader, Tensor target, long start, long rows, string what)
    {
        var type = (ScalarType)(sbyte)Runtime.TorchSaveCount.Read(reader, what);
        var rank = Runtime.TorchSaveCount.Read(reader, what);
        if (rank != 2) throw new InvalidDataException($"{what} has {rank} dimensions, expected 2");
        var shape = new[] { Runtime.TorchSaveCount.Read(reader, what), Runtime.TorchSaveCount.Read(reader, what) };
        var columns = target.shape[1];
        if (type != target.dtype || shape[0] != rows || shape[1] != columns)
            throw new InvalidDataException($"{what} is {type} [{shape[0]}, {shape[1]}] in the file, expected {target.dtype} [{rows}, {columns}]");
        var count = target.shape[0];
        if (start < 0 || start + count > rows) throw new ArgumentOutOfRangeException(nameof(start), $"rows [{start}, {start + count}) are not within [0, {rows}).");
        var rowBytes = columns * target.element_size();
        var stream = reader.BaseStream;
        stream.Position += start * rowBytes;
        var piece = Math.Max(1, PieceBytes / Math.Max(1, rowBytes));
        using var noGrad = no_grad();
        for (long row = 0; row < count; row += piece)
        {
            var n = Math.Min(piece, count - row);
            var bytes = reader.ReadBytes(checked((int)(n * rowBytes)));
            if (bytes.Length != n * rowBytes) throw new EndOfStreamException($"{what} ends inside row {start + row}");
            using var part = empty(n, columns, dtype: target.dtype);
            part.bytes = bytes;
            using var destination = target.narrow(0, row, n);
            destination.copy_(part);
        }
        stream.Position += (rows - start - count) * rowBytes;
    }
}
