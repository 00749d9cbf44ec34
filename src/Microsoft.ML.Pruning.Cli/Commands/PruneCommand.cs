using System.CommandLine;
using System.Globalization;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary><c>mlnet-prune prune</c>: load data, train (and prune) a network, write the report.</summary>
internal static class PruneCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var data = new Option<string>("--data") { Description = "Data spec: synthetic-digits, synthetic-shapes, idx:<images>,<labels>, mnist:<dir>, cifar10:<dir>, csv:<file>.", DefaultValueFactory = _ => "synthetic-digits" };
        var arch = new Option<string>("--arch") { Description = "Architecture: lenet300, mlp:<h1>,<h2>,.., lenet5, conv2, conv4, conv6, vgg11, vgg16, resnet20.", DefaultValueFactory = _ => "lenet300" };
        var epochs = new Option<int>("--epochs", "--pretrain-epochs") { Description = "Epochs of dense training.", DefaultValueFactory = _ => 10 };
        var seed = new Option<long>("--seed") { Description = "Seed for initialisation, shuffling and synthetic data.", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string>("--out") { Description = "Output folder for report.json and report.md.", DefaultValueFactory = _ => "mlnet-prune-out" };
        var format = new Option<string>("--format") { Description = "What to print when done: text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var split = new Option<string>("--split") { Description = "Train,validation,test fractions for a single file pair, by index in file order.", DefaultValueFactory = _ => "0.7,0.1,0.2" };
        var optimizer = new Option<string>("--optimizer") { Description = "adam or sgd.", DefaultValueFactory = _ => "adam" };
        optimizer.AcceptOnlyFromAmong("adam", "sgd");
        var lr = new Option<double?>("--lr") { Description = "Learning rate (default: 1.2e-3 for Adam, 0.05 for SGD)." };
        var batchSize = new Option<int>("--batch-size") { Description = "Training mini-batch size.", DefaultValueFactory = _ => 60 };

        var command = new Command("prune", "Train a network on the data and write report.json and report.md. With no options: LeNet-300-100 on the built-in synthetic digits.")
        {
            data, arch, epochs, seed, outDir, format, split, optimizer, lr, batchSize,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new PruneSettings
            {
                Data = parse.GetValue(data)!,
                Architecture = parse.GetValue(arch)!,
                Epochs = parse.GetValue(epochs),
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
