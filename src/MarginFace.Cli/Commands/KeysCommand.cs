using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MarginFace.Galleries;
using MarginFace.Server;
using MarginFace.Server.Security;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface keys create|list|revoke --gallery DB [--keys FILE]</c>: the API keys of <c>serve</c>, stored as SHA-256 hashes in
/// the keys file beside the gallery (<see cref="ApiKeyStore"/>). <c>create</c> prints the key once; it cannot be shown again.
/// </summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var root = new Command("keys", "Create, list and revoke the API keys of 'marginface serve'");

        var name = new Argument<string>("name") { Description = "a label for the key (who or what uses it)" };
        var scopes = new Option<string[]>("--scope") { Description = "recognise (detect, embed, verify, analyze, identify) and/or manage (enrol, rename, remove, galleries); default both", AllowMultipleArgumentsPerToken = true };
        var create = new Command("create", "Make a key and print it (once)") { name };
        AddStoreOptions(create, out var galleryC, out var keysC);
        create.Add(scopes);
        create.SetAction(parse =>
        {
            var scope = ApiKeyScope.None;
            var given = parse.GetValue(scopes) is { Length: > 0 } s ? s : ["recognise", "manage"];
            foreach (var text in given.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
                scope |= text.ToLowerInvariant() switch
                {
                    "recognise" or "recognize" => ApiKeyScope.Recognise,
                    "manage" => ApiKeyScope.Manage,
                    _ => throw new MarginFaceException($"--scope {text}: not a scope (recognise, manage)"),
                };
            var (record, key) = Store(parse, galleryC, keysC).Create(parse.GetValue(name)!, scope);
            System.Console.Error.WriteLine($"key {record.Id} ({record.Name}, {Scopes(record.Scopes)}): shown once, store it now");
            System.Console.WriteLine(key);
            return ExitCodes.Success;
        });

        var json = new Option<bool>("--json") { Description = "one JSON object per key per line" };
        var list = new Command("list", "List the keys (ids, names, scopes; never the keys)") { json };
        AddStoreOptions(list, out var galleryL, out var keysL);
        list.SetAction(parse =>
        {
            foreach (var record in Store(parse, galleryL, keysL).List())
                System.Console.WriteLine(parse.GetValue(json)
                    ? JsonSerializer.Serialize(new { id = record.Id, name = record.Name, scopes = Scopes(record.Scopes).Split(','), created = record.Created })
                    : string.Create(CultureInfo.InvariantCulture, $"{record.Id}  {Scopes(record.Scopes),-16}  {record.Created:yyyy-MM-dd HH:mm}Z  {record.Name}"));
            return ExitCodes.Success;
        });

        var id = new Argument<string>("id") { Description = "the key's id (as 'keys list' shows it)" };
        var revoke = new Command("revoke", "Revoke a key (a running server refuses it within a second)") { id };
        AddStoreOptions(revoke, out var galleryR, out var keysR);
        revoke.SetAction(parse =>
        {
            var which = parse.GetValue(id)!;
            if (!Store(parse, galleryR, keysR).Revoke(which)) throw new MarginFaceException($"no key with id '{which}'");
            System.Console.WriteLine($"revoked {which}");
            return ExitCodes.Success;
        });

        root.Add(create);
        root.Add(list);
        root.Add(revoke);
        return root;
    }

    private static void AddStoreOptions(Command command, out Option<string?> gallery, out Option<string?> keys)
    {
        gallery = new Option<string?>("--gallery") { Description = "the gallery 'serve' is started with (the keys are in GALLERY.keys.json; for a PostgreSQL gallery give --keys)" };
        keys = new Option<string?>("--keys") { Description = "the keys file, when 'serve' is given one" };
        command.Add(gallery);
        command.Add(keys);
    }

    private static ApiKeyStore Store(ParseResult parse, Option<string?> gallery, Option<string?> keys) =>
        new(parse.GetValue(keys) ?? (parse.GetValue(gallery) is { } g ? ServerOptions.DefaultKeysPath(FaceGalleries.IsPostgres(g) ? g : Path.GetFullPath(g)) : throw new MarginFaceException("give --gallery (or --keys)")));

    private static string Scopes(ApiKeyScope scopes) => string.Join(',',
        new[] { (ApiKeyScope.Recognise, "recognise"), (ApiKeyScope.Manage, "manage") }.Where(s => scopes.HasFlag(s.Item1)).Select(s => s.Item2));
}
