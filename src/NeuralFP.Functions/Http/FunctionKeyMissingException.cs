namespace NeuralFP.Functions.Http;

public sealed class FunctionKeyMissingException()
    : Exception("A function key is required: send it in the x-functions-key header (or the code query parameter).");
