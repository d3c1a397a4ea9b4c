namespace MarginFace.Tests.Support;

/// <summary>The test classes that share one <see cref="PostgresServer"/> (started once for the run, stopped at its end).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}
