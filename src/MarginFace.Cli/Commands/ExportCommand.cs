using System.CommandLine;
using System.Text.Json;
using MarginFace.Faces;
using MarginFace.Runtime;
using MarginFace.Training;

namespace MarginFace.Cli.Commands;

/// <summary><c>marginface export</c>: the deployable face model (backbone only) from a training run's checkpoint.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "a training checkpoint (RUN/model.bin, with config.json and classes.json beside it) or a face model file", Required = true };
        var output = new Option<string>("--out") { Description = "the face model file to write", Required = true };
        var command = new Command("export", "Write the deployable face model (backbone, input size, normalisation, identities, model id) from a training run") { model, output };
        command.SetAction(parse =>
        {
            TorchRuntime.Initialize();
            var info = FaceModelExport.FromCheckpoint(parse.GetValue(model)!, parse.GetValue(output)!);
            System.Console.WriteLine($"wrote {parse.GetValue(output)}: {info.Backbone}, {info.InputWidth}x{info.InputHeight}x{info.Channels}, {info.EmbeddingSize}-D, model id {info.ModelId}");
            return 0;
        });
        return command;
    }
}
