namespace MarginFace.Runtime;

/// <summary>
/// Steele, Lea and Flood's SplitMix64 (OOPSLA 2014): state += 0x9E3779B97F4A7C15, output = the state through two
/// xor-shift-multiply rounds. <see cref="For"/> derives a generator from a tuple of keys (e.g. seed, epoch, step, index) by
/// folding each key into the state with the same finaliser, so every draw is a pure function of its keys, independent of
/// threads and of the .NET version.
/// </summary>
internal struct SplitMix64(ulong state)
{
    private ulong _state = state;

    public static SplitMix64 For(params ReadOnlySpan<long> keys)
    {
        ulong h = 0x243F6A8885A308D3;
        foreach (var key in keys) h = Mix(h + 0x9E3779B97F4A7C15 + (ulong)key);
        return new SplitMix64(h);
    }

    public ulong NextUInt64() => Mix(_state += 0x9E3779B97F4A7C15);

    /// <summary>Uniform in [0, 1) with 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="count"/>) by Lemire's multiply-shift (bias below 2⁻³²).</summary>
    public int NextInt(int count) => (int)(((NextUInt64() >> 32) * (ulong)count) >> 32);

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
