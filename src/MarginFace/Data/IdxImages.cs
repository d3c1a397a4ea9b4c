namespace MarginFace.Data;

/// <summary>Unsigned-byte images read from an IDX file: <see cref="Pixels"/> holds <see cref="Count"/> row-major images one after another.</summary>
public sealed record IdxImages(byte[] Pixels, int Count, int Rows, int Columns);
