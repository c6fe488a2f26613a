using System.CommandLine;
using NeuralFP.Cli.Commands;

var root = new RootCommand("nfp: NeuralFP fingerprints of ONNX models and out-of-distribution verdicts, offline.")
{
    LayersCommand.Create(),
    FingerprintCommand.Create(),
    ScoreCommand.Create(),
    PullCommand.Create(),
    MatchCommand.Create(),
    EvaluateCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
