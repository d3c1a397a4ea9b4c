namespace MarginFace.Evaluation;

/// <summary>
/// One line of an LFW pairs file: image <see cref="Number1"/> of <see cref="Name1"/> against image <see cref="Number2"/> of
/// <see cref="Name2"/>. <see cref="Same"/> pairs name one person twice. <see cref="Fold"/> counts from 0; <see cref="Line"/> is the
/// 1-based line of the file the pair came from.
/// </summary>
public sealed record LfwPair(string Name1, int Number1, string Name2, int Number2, bool Same, int Fold, int Line)
{
    /// <summary>The first image, relative to the images directory: <c>Name/Name_0001.jpg</c>.</summary>
    public string Image1 => LfwPairs.ImagePath(Name1, Number1);

    /// <summary>The second image, relative to the images directory.</summary>
    public string Image2 => LfwPairs.ImagePath(Name2, Number2);

    /// <summary>The pair as the pairs file writes it (tab-separated): <c>name n1 n2</c> or <c>name1 n1 name2 n2</c>.</summary>
    public override string ToString() => Same ? $"{Name1}\t{Number1}\t{Number2}" : $"{Name1}\t{Number1}\t{Name2}\t{Number2}";
}
