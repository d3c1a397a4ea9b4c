using System.CommandLine;
using System.Text.Json;
using TorchSharp;
using MarginFace.Models;
using MarginFace.Runtime;

namespace MarginFace.Cli.Commands;

/// <summary><c>marginface backbones [--json]</c>: every network of the factory with its input, embedding size and parameter count.</summary>
internal static class BackbonesCommand
{
    private sealed record Row(string Name, string Input, int Embedding, long Parameters);

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "print a JSON list of {name, input, embedding, parameters}" };
        var embedding = new Option<int?>("--embedding") { Description = "count parameters at this embedding size instead of each backbone's default (backbones with a fixed embedding keep theirs)" };
        var command = new Command("backbones", "List the backbones with their input (WxHxC), embedding size and parameter count") { json, embedding };
        command.SetAction(parse =>
        {
            var size = parse.GetValue(embedding);
            if (size is < 1) throw new MarginFaceException($"--embedding: must be at least 1, got {size}");
            TorchRuntime.Initialize();
            torch.set_num_threads(1);
            var rows = BackboneFactory.Names.Select(name =>
            {
                using var backbone = BackboneFactory.Create(name, BackboneFactory.HasFixedEmbedding(name) ? null : size);
                var spec = backbone.Spec;
                return new Row(spec.Name, spec.Input, spec.EmbeddingSize, spec.ParameterCount);
            }).ToList();
            if (parse.GetValue(json))
            {
                System.Console.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions
                {
                    PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
                    WriteIndented = true,
                }));
                return 0;
            }
            System.Console.WriteLine($"{"name",-14} {"input",-10} {"embedding",9} {"parameters",12}");
            foreach (var row in rows)
                System.Console.WriteLine($"{row.Name,-14} {row.Input,-10} {row.Embedding,9} {row.Parameters,12:N0}");
            return 0;
        });
        return command;
    }
}
