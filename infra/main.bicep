// NeuralFP.Functions in Azure: a Flex Consumption function app on the .NET isolated worker (dotnet-isolated 10.0), its
// storage, Service Bus, monitoring, a user-assigned identity with least-privilege roles and the
// Event Grid delivery of model uploads. Deploy with infra/README.md.

targetScope = 'resourceGroup'

@description('Prefix of every resource name: 3-11 lowercase letters and digits, starting with a letter (storage account names allow nothing else).')
@minLength(3)
@maxLength(11)
param namePrefix string

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Memory per Flex Consumption instance in MB; ONNX sessions and autoencoder training need 2048 or more.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound of instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Instances kept running for the HTTP functions (Flex Consumption always-ready group "http"; billed while idle). With preloadModels they answer their first request warm; 0 scales from zero.')
@minValue(0)
@maxValue(20)
param alwaysReadyHttpInstances int = 0

@description('Models each instance loads when it starts, before their first request (NeuralFP__PreloadModels: comma-separated model ids, or * for every ready model while the scorer cache has room); empty for none.')
param preloadModels string = ''

@description('Create the Event Grid subscription that feeds model uploads to the blob trigger. Needs the code deployed first (the host makes the webhook key), so the first deployment leaves it off.')
param subscribeBlobEvents bool = false

@description('Function that declares the Event Grid-source blob trigger on the models container.')
param blobTriggerFunctionName string = 'FingerprintModel'

@description('Largest request body the HTTP functions accept, in bytes.')
@minValue(1024)
param maxRequestBytes int = 33554432

@description('Most records one verdicts or match request may carry.')
@minValue(1)
param maxRecordsPerRequest int = 4096

@description('Verdicts in each model\'s rolling drift window (the alarm tests the OOD rate over the most recent ones).')
@minValue(1)
@maxValue(100000)
param driftWindowSize int = 500

@description('Significance level of the drift test (one-sided binomial test of the window\'s OOD count against the calibrated FPR), e.g. 0.001.')
param driftAlpha string = '0.001'

@description('NCRONTAB schedule (six fields, UTC) of the SweepFingerprints timer, which takes over builds whose lease expired and retries transient failures.')
param sweepSchedule string = '*/30 * * * * *'

@description('Days the Log Analytics workspace keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Tags put on every resource.')
param tags object = {
  application: 'neuralfp'
}

// Names: the prefix plus a suffix stable per resource group, so redeploying updates in place.
var suffix = uniqueString(resourceGroup().id, namePrefix)
var storageAccountName = take('${toLower(namePrefix)}${suffix}', 24)
var identityName = '${namePrefix}-id-${suffix}'
var planName = '${namePrefix}-plan-${suffix}'
var functionAppName = '${namePrefix}-func-${suffix}'
var serviceBusName = '${namePrefix}-sb-${suffix}'
var workspaceName = '${namePrefix}-log-${suffix}'
var appInsightsName = '${namePrefix}-appi-${suffix}'

// Storage layout: the same names go to the resources and to the app settings the app reads.
var modelsContainer = 'models'
var fingerprintsContainer = 'fingerprints'
var resultsContainer = 'results'
var deploymentContainer = 'app-package'
var deadLetterContainer = 'eventgrid-deadletter'
var registryTable = 'models'
var driftTable = 'drift'
var scoreRequestsQueue = 'score-requests'
var scoreResultsQueue = 'score-results'
var scoreRequestsPoisonQueue = 'score-requests-poison'
var alertsQueue = 'ood-alerts'
var alertsTopic = 'ood-alerts'

// The host moves a message to the poison queue after this many dequeues; Service Bus matches it.
var maxDeliveryCount = 5

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    workspaceName: workspaceName
    appInsightsName: appInsightsName
    retentionInDays: logRetentionInDays
    // Local auth stays on: the Functions host's own telemetry would need an
    // APPLICATIONINSIGHTS_AUTHENTICATION_STRING setting to ingest with Entra ID only.
    disableLocalAuth: false
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    accountName: storageAccountName
    containerNames: [
      modelsContainer
      fingerprintsContainer
      resultsContainer
      deploymentContainer
      deadLetterContainer
    ]
    queueNames: [
      scoreRequestsQueue
      scoreResultsQueue
      scoreRequestsPoisonQueue
      alertsQueue
    ]
    tableNames: [
      registryTable
      driftTable
    ]
    blobDeleteRetentionDays: 7
    tags: tags
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    location: location
    namespaceName: serviceBusName
    scoreRequestsQueueName: scoreRequestsQueue
    alertsTopicName: alertsTopic
    maxDeliveryCount: maxDeliveryCount
    tags: tags
  }
}

module roles 'modules/roleAssignments.bicep' = {
  name: 'roles'
  params: {
    principalId: identity.properties.principalId
    storageAccountName: storage.outputs.accountName
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    appInsightsName: monitoring.outputs.appInsightsName
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  // The host reaches storage with the identity as soon as it starts.
  dependsOn: [
    roles
  ]
  params: {
    location: location
    planName: planName
    appName: functionAppName
    identityId: identity.id
    deploymentBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainer
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    tags: tags
    // Names come from NeuralFP.Storage.Configuration.SettingNames (tests hold the two together).
    appSettings: [
      { name: 'AzureWebJobsStorage__blobServiceUri', value: storage.outputs.blobEndpoint }
      { name: 'AzureWebJobsStorage__queueServiceUri', value: storage.outputs.queueEndpoint }
      { name: 'AzureWebJobsStorage__tableServiceUri', value: storage.outputs.tableEndpoint }
      { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
      { name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }
      { name: 'ServiceBusConnection__fullyQualifiedNamespace', value: serviceBus.outputs.fullyQualifiedNamespace }
      { name: 'ServiceBusConnection__credential', value: 'managedidentity' }
      { name: 'ServiceBusConnection__clientId', value: identity.properties.clientId }
      { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: monitoring.outputs.appInsightsConnectionString }
      { name: 'NeuralFP__ModelsContainer', value: modelsContainer }
      { name: 'NeuralFP__FingerprintsContainer', value: fingerprintsContainer }
      { name: 'NeuralFP__ResultsContainer', value: resultsContainer }
      { name: 'NeuralFP__RegistryTable', value: registryTable }
      { name: 'NeuralFP__DriftTable', value: driftTable }
      { name: 'NeuralFP__ScoreRequestsQueue', value: scoreRequestsQueue }
      { name: 'NeuralFP__ScoreResultsQueue', value: scoreResultsQueue }
      { name: 'NeuralFP__AlertsQueue', value: alertsQueue }
      { name: 'NeuralFP__AlertsTopic', value: alertsTopic }
      { name: 'NeuralFP__DriftWindowSize', value: string(driftWindowSize) }
      { name: 'NeuralFP__DriftAlpha', value: driftAlpha }
      { name: 'NeuralFP__MaxRequestBytes', value: string(maxRequestBytes) }
      { name: 'NeuralFP__MaxRecordsPerRequest', value: string(maxRecordsPerRequest) }
      { name: 'NeuralFP__SweepSchedule', value: sweepSchedule }
      { name: 'NeuralFP__PreloadModels', value: preloadModels }
    ]
  }
}

module blobEvents 'modules/blobEvents.bicep' = if (subscribeBlobEvents) {
  name: 'blobEvents'
  dependsOn: [
    functionApp
  ]
  params: {
    location: location
    storageAccountName: storage.outputs.accountName
    functionAppName: functionAppName
    functionName: blobTriggerFunctionName
    modelsContainerName: modelsContainer
    deadLetterContainerName: deadLetterContainer
    identityId: identity.id
    tags: tags
  }
}

output functionAppName string = functionApp.outputs.appName
output functionAppHostName string = functionApp.outputs.defaultHostName
output storageAccountName string = storage.outputs.accountName
output deploymentContainerName string = deploymentContainer
output serviceBusNamespace string = serviceBus.outputs.fullyQualifiedNamespace
output identityClientId string = identity.properties.clientId
