namespace MarginFace.Data;

/// <summary>
/// MXNet's image record header (<c>IRHeader</c>, struct format <c>IfQQ</c>, 24 bytes little-endian): <see cref="Flag"/>,
/// <see cref="Label"/>, <see cref="Id"/>, <see cref="Id2"/>. When <see cref="Flag"/> &gt; 0 the header is followed by that many
/// float32 labels (<see cref="Labels"/>) and MXNet's <c>recordio.unpack</c> uses them in place of <see cref="Label"/>.
/// InsightFace's record 0 has flag 2 and labels [first identity record, end of identity records); each identity record has
/// flag 2 and labels [first image, end of its images).
/// </summary>
/// <param name="Flag">Number of float32 labels after the header (0: the label is <see cref="Label"/>).</param>
/// <param name="Label">The single label when <see cref="Flag"/> is 0 (MXNet writes 0 here otherwise).</param>
/// <param name="Id">First id (InsightFace: the record's own index in image records, 0 elsewhere).</param>
/// <param name="Id2">Second id (0 in InsightFace's files).</param>
/// <param name="Labels">The <see cref="Flag"/> labels after the header; empty when <see cref="Flag"/> is 0.</param>
public sealed record RecordIoHeader(uint Flag, float Label, ulong Id, ulong Id2, IReadOnlyList<float> Labels)
{
    /// <summary>Size of the fixed part, in bytes.</summary>
    public const int Size = 24;

    /// <summary>The label MXNet's readers use: the first of <see cref="Labels"/> when there are any, else <see cref="Label"/>.</summary>
    public float PrimaryLabel => Labels.Count > 0 ? Labels[0] : Label;

    /// <summary>The header as <c>flag=F label=L id=I id2=J labels=[…]</c> (at most 8 labels shown).</summary>
    public override string ToString()
    {
        var shown = string.Join(", ", Labels.Take(8).Select(l => l.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var more = Labels.Count > 8 ? $", … ({Labels.Count - 8} more)" : "";
        return $"flag={Flag} label={Label.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} id={Id} id2={Id2} labels=[{shown}{more}]";
    }
}
