using NeuralFP.Functions.Hosting;

// Under the Functions host: `FUNCTIONS_CUSTOMHANDLER_PORT` is set and the host drives the functions.
// Without it: `--standalone` (or NeuralFP__Standalone=true) also runs the local host against Azurite.
var app = FunctionsApp.Build(args);
await app.RunAsync();
