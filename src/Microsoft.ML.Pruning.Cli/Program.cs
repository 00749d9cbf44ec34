using TorchSharp;
Microsoft.ML.Pruning.Native.TorchSharpNativeLoader.EnsureLoaded();
System.Console.WriteLine(Microsoft.ML.Pruning.Native.TorchSharpNativeLoader.PatchedShimPath);
var t = torch.ones(3); System.Console.WriteLine(t.sum().item<float>());
