using Microsoft.ML.Pruning.Cli;

return await CliApplication.RunAsync(args, Console.Out, Console.Error);
