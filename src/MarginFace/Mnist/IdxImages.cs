namespace MarginFace.Mnist;

/// <summary>Unsigned-byte images read from an IDX file: <see cref="Pixels"/> holds <see cref="Count"/> row-major images one after another.</summary>
internal sealed record IdxImages(byte[] Pixels, int Count, int Rows, int Columns);
