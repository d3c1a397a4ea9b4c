namespace MarginFace;

/// <summary>
/// A problem the user can fix (bad file, missing data, unavailable device). Its message is one line
/// that names the file or setting and the problem; the command-line tool prints it without a stack trace.
/// </summary>
public class MarginFaceException : Exception
{
    /// <summary>The problem <paramref name="message"/>: one line naming the file or setting and what is wrong with it.</summary>
    public MarginFaceException(string message) : base(message) { }

    /// <summary>The problem <paramref name="message"/> (one line naming the file or setting), caused by <paramref name="inner"/>.</summary>
    public MarginFaceException(string message, Exception inner) : base(message, inner) { }
}
