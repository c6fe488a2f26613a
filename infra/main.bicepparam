using 'main.bicep'

// Example parameters; override on the command line (see README.md).
param namePrefix = 'neuralfp'
param instanceMemoryMB = 2048
param maximumInstanceCount = 40
param alwaysReadyHttpInstances = 0
param preloadModels = ''
param subscribeBlobEvents = false
