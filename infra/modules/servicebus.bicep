// Service Bus namespace for production messaging: the ood-alerts topic the app sends drift alarms to, and the
// score-requests queue kept for a Service Bus trigger (its worker extension is not served to this build). Entra ID only.

@description('Azure region of the namespace.')
param location string

@description('Service Bus namespace name.')
param namespaceName string

@description('Queue that carries batch scoring requests.')
param scoreRequestsQueueName string

@description('Topic that carries OOD drift alarms.')
param alertsTopicName string

@description('Deliveries of a request before it is dead-lettered (matches the storage queue poison threshold).')
@minValue(1)
param maxDeliveryCount int

param tags object

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  // Topics need Standard or above.
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource scoreRequests 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: scoreRequestsQueueName
  properties: {
    maxDeliveryCount: maxDeliveryCount
    lockDuration: 'PT5M'
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P7D'
  }
}

resource alerts 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = {
  parent: namespace
  name: alertsTopicName
  properties: {
    defaultMessageTimeToLive: 'P14D'
  }
}

// A topic drops messages nobody subscribes to: keep one subscription so that alarms raised before
// an operator wires a consumer are still there to read.
resource operatorsSubscription 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = {
  parent: alerts
  name: 'operators'
  properties: {
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P14D'
  }
}

output namespaceName string = namespace.name
// https://<name>.servicebus.windows.net:443/ -> <name>.servicebus.windows.net, cloud-agnostic.
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
