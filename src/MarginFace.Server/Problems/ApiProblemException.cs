namespace MarginFace.Server.Problems;

/// <summary>An error a handler answers as a problem document of <see cref="Kind"/> with <see cref="Exception.Message"/> as its detail.</summary>
public sealed class ApiProblemException(ProblemKind kind, string detail) : Exception(detail)
{
    public ProblemKind Kind { get; } = kind;
}
