using System.CommandLine;
using NeuralFP.Core.Onnx;

namespace NeuralFP.Cli.Commands;

/// <summary><c>nfp layers model.onnx</c>: the tensors that can be fingerprinted, and the automatic choice.</summary>
internal static class LayersCommand
{
    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "The ONNX model." };
        var json = CommonOptions.Json();
        var command = new Command("layers", "List a model's candidate layers (tensor, producing op, shape) and the automatic choice.") { model, json };
        command.SetAction((parse, _) => CommandRunner.RunAsync(async () =>
        {
            var file = parse.GetValue(model)!;
            if (!file.Exists) throw new FileNotFoundException($"No model at '{file.FullName}'.");
            var onnx = OnnxModel.Load(await File.ReadAllBytesAsync(file.FullName));
            var auto = onnx.AutoLayers().ToHashSet();
            if (parse.GetValue(json))
            {
                CliJson.Write(new
                {
                    onnx.InputName,
                    onnx.InputShape,
                    onnx.OutputNames,
                    Auto = onnx.AutoLayers(),
                    Layers = onnx.Layers.Select(l => new { l.Name, l.OpType, l.Shape, Role = l.Role.ToString(), Auto = auto.Contains(l.Name) }),
                });
                return 0;
            }
            Console.WriteLine($"input {onnx.InputName} [{string.Join(",", onnx.InputShape)}]  sha256 {onnx.Sha256}");
            Console.WriteLine($"{"auto",-4}  {"tensor",-40} {"op",-14} {"role",-11} shape");
            foreach (var l in onnx.Layers)
                Console.WriteLine($"{(auto.Contains(l.Name) ? "*" : ""),-4}  {l.Name,-40} {l.OpType,-14} {l.Role,-11} {(l.Shape is null ? "?" : "[" + string.Join(",", l.Shape) + "]")}");
            return 0;
        }));
        return command;
    }
}
