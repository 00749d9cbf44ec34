using System.CommandLine;
using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary><c>mlnet-prune prune</c>: load data, train and prune a network, write the report.</summary>
internal static class PruneCommand
{
    public static System.CommandLine.Command Create(TextWriter output, TextWriter error, Action<string>? outputStep = null)
    {
        var common = new CommonOptions();
        var method = new Option<string>("--method") { Description = "Pruning method: " + CommonOptions.MethodList + " (default icp-if: each round retrains until the information flow is consistent with the dense network's or its validation metric is back).", DefaultValueFactory = _ => "icp-if" };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run from the checkpoint in --out." };
        var storage = new Option<string>("--storage") { Description = "How model.onnx stores pruned weights: dense, sparse, or auto (sparse where smaller).", DefaultValueFactory = _ => "auto" };
        storage.AcceptOnlyFromAmong("dense", "sparse", "auto");
        var command = new System.CommandLine.Command("prune",
            "Train and iteratively prune a network, writing model.onnx, report.json, report.md with its charts (PNG) and a checkpoint to --out; prune.complete.json lists the final files once they are all in place. The report gives model.onnx's ONNX Runtime latency, memory and MACs against its dense counterpart (--measure-runs 0 skips that). With no options: lottery-ticket pruning of LeNet-300-100 on the built-in synthetic digits. With --model: prune your own ONNX classifier, starting from its weights; model.onnx is your graph with the pruned weights.\n\n"
            + "Examples:\n"
            + "  mlnet-prune prune\n"
            + "  mlnet-prune prune --method icp-if --rounds 10 --epochs 5 --out runs/icp\n"
            + "  mlnet-prune prune --data mnist:data/mnist --arch lenet5 --method lth --storage sparse\n"
            + "  mlnet-prune prune --model my-classifier.onnx --data mnist:data/mnist --method icp-if --rounds 3 --rate 0.3\n"
            + "  mlnet-prune prune --out runs/icp --resume\n"
            + "  mlnet-prune prune --data csv:digits.csv --input-shape 1,28,28 --classes 10 --arch lenet5\n"
            + "  mlnet-prune prune --rounds 3 --format json > report.json\n"
            + "  mlnet-prune prune --arch vgg11 --data synthetic-shapes --measure-runs 30 --measure-seconds 2");
        common.AddTo(command);
        command.Options.Add(method);
        command.Options.Add(resume);
        command.Options.Add(storage);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = common.Read(parse) with { Method = parse.GetValue(method)!, Resume = parse.GetValue(resume), Storage = parse.GetValue(storage)! };
            return await Task.Run(() => PruneRunner.Run(settings, output, error, cancellationToken, outputStep), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
