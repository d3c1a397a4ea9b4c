namespace MarginFace.Galleries;

/// <summary>
/// The ids one enrolment added, as the change log records them (<see cref="GalleryChanges.Enrol"/>): the first and the last,
/// or the empty range 0..-1 when it added none. Writers take turns, so the ids of one write are this one range.
/// </summary>
internal struct EnrolledIdRange()
{
    private long first = long.MaxValue, last = long.MinValue;

    public void Add(long id) => (first, last) = (Math.Min(first, id), Math.Max(last, id));

    public readonly long First => first <= last ? first : 0;

    public readonly long Last => first <= last ? last : -1;
}
