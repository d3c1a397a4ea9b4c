using System.CommandLine;
using MarginFace.FaceModels;
using MarginFace.Interop.Onnx;
using MarginFace.Models;
using MarginFace.Runtime;

namespace MarginFace.Cli.Commands;

/// <summary><c>marginface export</c>: the deployable face model (backbone only) from a training run's checkpoint.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "a training checkpoint (RUN/model.bin, with config.json and classes.json beside it), a face model file, or 'pretrained' (face-api's ResNet)", Required = true };
        var output = new Option<string>("--out") { Description = "the face model file (or, with --onnx, the ONNX file) to write", Required = true };
        var onnx = new Option<bool>("--onnx") { Description = "write an ONNX model (opset 17, dynamic batch, input \"input\" [N,C,H,W], output \"embedding\", preprocessing in its metadata)" };
        var command = new Command("export", "Write the deployable face model (backbone, input size, normalisation, identities, model id) from a training run, or an ONNX model") { model, output, onnx };
        command.SetAction(parse =>
        {
            TorchRuntime.Initialize();
            var source = parse.GetValue(model)!;
            var target = parse.GetValue(output)!;
            if (parse.GetValue(onnx))
            {
                var temporary = Path.Combine(Path.GetTempPath(), $"marginface-export-{Guid.NewGuid():N}.model");
                try
                {
                    FaceModelExport.FromCheckpoint(source, temporary);
                    using var faceModel = FaceModelFile.Load(temporary);
                    var i = faceModel.Info;
                    try
                    {
                        OnnxExporter.Export(faceModel, target);
                    }
                    catch (NotSupportedException e)
                    {
                        throw new MarginFaceException($"{source}: {i.Backbone} cannot be written as ONNX yet ({e.Message})");
                    }
                    System.Console.WriteLine($"wrote {target}: ONNX, {i.Backbone}, {i.InputWidth}x{i.InputHeight}x{i.Channels}, {i.EmbeddingSize}-D, normalisation {i.Normalization.Formula()}");
                }
                finally
                {
                    File.Delete(temporary);
                }
                return 0;
            }
            var info = FaceModelExport.FromCheckpoint(source, target);
            System.Console.WriteLine($"wrote {target}: {info.Backbone}, {info.InputWidth}x{info.InputHeight}x{info.Channels}, {info.EmbeddingSize}-D, model id {info.ModelId}");
            return 0;
        });
        return command;
    }
}
