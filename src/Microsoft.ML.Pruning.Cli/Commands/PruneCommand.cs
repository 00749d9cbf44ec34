using System.CommandLine;
using Microsoft.ML.Pruning.Pruning;
using System.Globalization;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary><c>mlnet-prune prune</c>: load data, train (and prune) a network, write the report.</summary>
internal static class PruneCommand
{
    public static System.CommandLine.Command Create(TextWriter output, TextWriter error)
    {
        var data = new Option<string>("--data") { Description = "Data spec: synthetic-digits, synthetic-shapes, idx:<images>,<labels>, mnist:<dir>, cifar10:<dir>, csv:<file>.", DefaultValueFactory = _ => "synthetic-digits" };
        var arch = new Option<string>("--arch") { Description = "Architecture: lenet300, mlp:<h1>,<h2>,.., lenet5, conv2, conv4, conv6, vgg11, vgg16, resnet20.", DefaultValueFactory = _ => "lenet300" };
        var method = new Option<string>("--method") { Description = "Pruning method: " + string.Join(", ", PruningMethods.Names) + ".", DefaultValueFactory = _ => "lth" };
        var rounds = new Option<int>("--rounds") { Description = "Pruning rounds; 0 trains the dense network only.", DefaultValueFactory = _ => 10 };
        var rate = new Option<double>("--rate") { Description = "Fraction of the surviving weights removed per round (fixed-rate methods).", DefaultValueFactory = _ => 0.2 };
        var epochs = new Option<int>("--epochs") { Description = "Retraining epochs per round (the limit for adaptive stopping).", DefaultValueFactory = _ => 5 };
        var pretrain = new Option<int>("--pretrain-epochs") { Description = "Epochs of dense training before the first round.", DefaultValueFactory = _ => 10 };
        var scope = new Option<string>("--scope") { Description = "Magnitude threshold per layer or over all layers: layerwise or global.", DefaultValueFactory = _ => "layerwise" };
        scope.AcceptOnlyFromAmong("layerwise", "global");
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run from the checkpoint in --out." };
        var seed = new Option<long>("--seed") { Description = "Seed for initialisation, shuffling and synthetic data.", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string>("--out") { Description = "Output folder for report.json, report.md and the checkpoint.", DefaultValueFactory = _ => "mlnet-prune-out" };
        var format = new Option<string>("--format") { Description = "What to print when done: text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var split = new Option<string>("--split") { Description = "Train,validation,test fractions for a single file pair, by index in file order.", DefaultValueFactory = _ => "0.7,0.1,0.2" };
        var optimizer = new Option<string>("--optimizer") { Description = "adam or sgd.", DefaultValueFactory = _ => "adam" };
        optimizer.AcceptOnlyFromAmong("adam", "sgd");
        var lr = new Option<double?>("--lr") { Description = "Learning rate (default: 1.2e-3 for Adam, 0.05 for SGD)." };
        var batchSize = new Option<int>("--batch-size") { Description = "Training mini-batch size.", DefaultValueFactory = _ => 60 };

        var command = new System.CommandLine.Command("prune", "Train and iteratively prune a network, writing report.json, report.md and a checkpoint to --out. With no options: lottery-ticket pruning of LeNet-300-100 on the built-in synthetic digits.")
        {
            data, arch, method, rounds, rate, epochs, pretrain, scope, seed, outDir, format, split, optimizer, lr, batchSize, resume,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new PruneSettings
            {
                Data = parse.GetValue(data)!,
                Architecture = parse.GetValue(arch)!,
                Method = parse.GetValue(method)!,
                Rounds = parse.GetValue(rounds),
                Rate = parse.GetValue(rate),
                Epochs = parse.GetValue(epochs),
                PretrainEpochs = parse.GetValue(pretrain),
                Scope = parse.GetValue(scope)!,
                Resume = parse.GetValue(resume),
                Seed = parse.GetValue(seed),
                OutputDirectory = parse.GetValue(outDir)!,
                Json = parse.GetValue(format) == "json",
                Split = parse.GetValue(split)!,
                Optimizer = parse.GetValue(optimizer)!,
                LearningRate = parse.GetValue(lr),
                BatchSize = parse.GetValue(batchSize),
            };
            return await Task.Run(() => PruneRunner.Run(settings, output, error, cancellationToken), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
