using System.CommandLine;
using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>The options <c>prune</c> and <c>bench</c> share (data, network, schedule, training, output).</summary>
internal sealed class CommonOptions
{
    public Option<string> Data { get; } = new("--data") { Description = "Data spec: synthetic-digits, synthetic-shapes, idx:<images>,<labels>, mnist:<dir>, cifar10:<dir>, csv:<file>.", DefaultValueFactory = _ => "synthetic-digits" };
    public Option<string> Arch { get; } = new("--arch") { Description = "Architecture: lenet300, mlp:<h1>,<h2>,.., lenet5, conv2, conv4, conv6, vgg11, vgg16, resnet20.", DefaultValueFactory = _ => "lenet300" };
    public Option<string?> Model { get; } = new("--model") { Description = "An ONNX classifier to prune instead of --arch (e.g. exported by torch.onnx.export): pruning starts from its weights, and model.onnx is the same graph with the pruned weights. The data's features must match its input size." };
    public Option<int> Rounds { get; } = new("--rounds") { Description = "Pruning rounds; 0 trains the dense network only.", DefaultValueFactory = _ => 10 };
    public Option<double> Rate { get; } = new("--rate") { Description = "Fraction of the surviving weights removed per round (fixed-rate methods).", DefaultValueFactory = _ => 0.2 };
    public Option<int> Epochs { get; } = new("--epochs") { Description = "Retraining epochs per round (the limit for adaptive stopping: imp-ar, icp-*).", DefaultValueFactory = _ => 5 };
    public Option<int?> PretrainEpochs { get; } = new("--pretrain-epochs") { Description = "Epochs of dense training before the first round (default: 10 with --arch; 0 with --model, whose imported weights are the dense reference)." };
    public Option<string> Scope { get; } = new("--scope") { Description = "Magnitude threshold per layer or over all layers: layerwise or global.", DefaultValueFactory = _ => "layerwise" };
    public Option<string> Granularity { get; } = new("--granularity") { Description = "What a pruning step removes: weight (single weights; the model keeps its shapes) or channel (whole Conv2d channels and Linear neurons with their coupled batch-norm channels, residual partners and input slices; the exported model is smaller and faster).", DefaultValueFactory = _ => "weight" };
    public Option<string> ChannelNorm { get; } = new("--channel-norm") { Description = "How --granularity channel scores a channel: l1 or l2 norm of its incoming weights (per weight).", DefaultValueFactory = _ => "l1" };
    public Option<string> Compact { get; } = new("--compact") { Description = "Write model.onnx physically smaller: removed channels and dead units gone, their constants folded into the next bias. auto (on with --granularity channel), on or off.", DefaultValueFactory = _ => "auto" };
    public Option<double?> Epsilon { get; } = new("--epsilon") { Description = "ICP threshold of the flow distance (default 0.11 information flow, 0.3 gradient flow)." };
    public Option<string> Pq { get; } = new("--pq") { Description = "Norm orders p,q of the PQ-index rate (sap, icp-if-sap, icp-gf-sap); the paper uses 1,2 and 0.5,1.", DefaultValueFactory = _ => "1,2" };
    public Option<double?> CheckEvery { get; } = new("--check-every") { Description = "Epochs between decisions of adaptive methods (imp-ar, icp-*); fractions decide inside epochs (default 0.25)." };
    public Option<string> Protocol { get; } = new("--protocol") { Description = "Training protocol: default (the options as given), or reference (the ICP paper's code: SGD lr 0.01 without momentum, batch 64, decisions every 2 epochs, every method rewinding to the dense weights).", DefaultValueFactory = _ => "default" };
    public Option<long> Seed { get; } = new("--seed") { Description = "Seed for initialisation, shuffling, probe sets and synthetic data.", DefaultValueFactory = _ => 1 };
    public Option<string> Out { get; } = new("--out") { Description = "Output folder.", DefaultValueFactory = _ => "mlnet-prune-out" };
    public Option<string> Format { get; } = new("--format") { Description = "What to print when done: text or json.", DefaultValueFactory = _ => "text" };
    public Option<string> Split { get; } = new("--split") { Description = "Train,validation,test fractions for a single file pair, by index in file order.", DefaultValueFactory = _ => "0.7,0.1,0.2" };
    public Option<string> Optimizer { get; } = new("--optimizer") { Description = "adam or sgd.", DefaultValueFactory = _ => "adam" };
    public Option<double?> LearningRate { get; } = new("--lr") { Description = "Learning rate (default: 1.2e-3 for Adam, 0.05 for SGD)." };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Training mini-batch size.", DefaultValueFactory = _ => 60 };
    public Option<int?> Classes { get; } = new("--classes") { Description = "Number of classes; labels must lie in 0..N-1 (default: 10 for idx:, mnist: and cifar10:, the labels of a csv: file)." };
    public Option<string?> Label { get; } = new("--label") { Description = "The label column of a csv: file, by its header name (default: the first column)." };
    public Option<string?> Task { get; } = new("--task") { Description = "multiclass, binary or regression (default: from the labels of a csv: file: numbers with fractions or many distinct values are regression, two classes binary)." };
    public Option<string> Standardize { get; } = new("--standardize") { Description = "on: standardise a csv: file's features (and regression targets) with the training rows' mean and deviation; model.onnx applies the same step, so it takes raw features (not with --model, which takes its own inputs). off: train on the values as they are.", DefaultValueFactory = _ => "on" };
    public Option<string?> InputShape { get; } = new("--input-shape") { Description = "Image layout C,H,W of a csv: file's feature columns (e.g. 1,28,28), for convolutional architectures." };

    /// <summary>The deployment measurement of the exported model against its dense counterpart (on unless --measure-runs 0).</summary>
    public MeasureOptions Measure { get; } = new(zeroRunsSkips: true);

    public CommonOptions()
    {
        Scope.AcceptOnlyFromAmong("layerwise", "global");
        Granularity.AcceptOnlyFromAmong("weight", "channel");
        ChannelNorm.AcceptOnlyFromAmong("l1", "l2");
        Compact.AcceptOnlyFromAmong("auto", "on", "off");
        Format.AcceptOnlyFromAmong("text", "json");
        Optimizer.AcceptOnlyFromAmong("adam", "sgd");
        Protocol.AcceptOnlyFromAmong("default", "reference");
        Task.AcceptOnlyFromAmong(TabularSetup.Tasks);
        Standardize.AcceptOnlyFromAmong("on", "off");
    }

    public void AddTo(System.CommandLine.Command command)
    {
        foreach (Option option in new Option[] { Data, Arch, Model, Rounds, Rate, Epochs, PretrainEpochs, Scope, Granularity, ChannelNorm, Compact, Epsilon, Pq, CheckEvery, Protocol, Seed, Out, Format, Split, Optimizer, LearningRate, BatchSize, Classes, InputShape, Label, Task, Standardize })
        {
            command.Options.Add(option);
        }

        Measure.AddTo(command);
    }

    public PruneSettings Read(ParseResult parse) => new()
    {
        Data = parse.GetValue(Data)!,
        Architecture = parse.GetValue(Arch)!,
        ArchitectureGiven = parse.GetResult(Arch) is { Implicit: false },
        Model = parse.GetValue(Model),
        Rounds = parse.GetValue(Rounds),
        Rate = parse.GetValue(Rate),
        Epochs = parse.GetValue(Epochs),
        PretrainEpochs = parse.GetValue(PretrainEpochs),
        Scope = parse.GetValue(Scope)!,
        Granularity = parse.GetValue(Granularity)!,
        ChannelNorm = parse.GetValue(ChannelNorm)!,
        Compact = parse.GetValue(Compact)!,
        Epsilon = parse.GetValue(Epsilon),
        Pq = parse.GetValue(Pq)!,
        CheckEvery = parse.GetValue(CheckEvery),
        Protocol = parse.GetValue(Protocol)!,
        Seed = parse.GetValue(Seed),
        OutputDirectory = parse.GetValue(Out)!,
        Json = parse.GetValue(Format) == "json",
        Split = parse.GetValue(Split)!,
        Optimizer = parse.GetValue(Optimizer)!,
        LearningRate = parse.GetValue(LearningRate),
        BatchSize = parse.GetValue(BatchSize),
        ClassCount = parse.GetValue(Classes),
        InputShape = parse.GetValue(InputShape),
        Label = parse.GetValue(Label),
        Task = parse.GetValue(Task),
        Standardize = parse.GetValue(Standardize) == "on",
        Measurement = Measure.Read(parse),
    };

    public static string MethodList => string.Join(", ", PruningMethods.Names);
}
