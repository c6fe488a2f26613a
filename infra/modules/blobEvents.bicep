// Event Grid delivery of model uploads to the blob trigger. Flex Consumption supports only the
// Event Grid-source blob trigger: the storage account's system topic pushes BlobCreated events for
// the models container to the Functions host's blob extension webhook. Deploy this after the code
// is published, because the host creates the blobs_extension key when it first loads the trigger.

@description('Azure region of the storage account (system topics live beside their source).')
param location string

@description('Storage account whose blob events are delivered.')
param storageAccountName string

@description('Function app that hosts the blob trigger.')
param functionAppName string

@description('Name of the function with the Event Grid-source blob trigger.')
param functionName string

@description('Blob container whose uploads start fingerprinting.')
param modelsContainerName string

@description('Container that keeps events Event Grid could not deliver.')
param deadLetterContainerName string

@description('Resource ID of the user-assigned identity Event Grid dead-letters with.')
param identityId string

param tags object

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource functionApp 'Microsoft.Web/sites@2024-11-01' existing = {
  name: functionAppName
}

// The host's keys are not a typed resource; list them through the host/default path.
var blobsExtensionKey = listKeys('${functionApp.id}/host/default', functionApp.apiVersion).systemKeys.blobs_extension

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: '${storageAccountName}-events'
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource modelUploads 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: systemTopic
  name: 'model-uploads'
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}&code=${blobsExtensionKey}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/${modelsContainerName}/'
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'UserAssigned'
        userAssignedIdentity: identityId
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output systemTopicName string = systemTopic.name
