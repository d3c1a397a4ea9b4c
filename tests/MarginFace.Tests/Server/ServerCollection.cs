namespace MarginFace.Tests.Server;

/// <summary>The server tests share one <see cref="ServerFixture"/> (the networks are loaded once) and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
