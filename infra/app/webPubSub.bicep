// Web PubSub with its own system-assigned identity, and the hub whose event handler is the app.
// The handler's URL path and events come from eventHandler.json, which test/unit/infra.spec.ts
// checks against the app's route and event routes. The service asks Entra ID for a token for
// `eventAudience` (the app registration's client id) with its identity and sends it as a
// bearer token on every event.
param name string
param location string
param tags object
param sku string
param disableLocalAuth bool
param hubName string
param appHostName string
param eventAudience string

var eventHandler = loadJsonContent('eventHandler.json')

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
    capacity: 1
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    disableLocalAuth: disableLocalAuth
    disableAadAuth: false
    publicNetworkAccess: 'Enabled'
  }
}

resource hub 'Microsoft.SignalRService/webPubSub/hubs@2024-03-01' = {
  parent: webPubSub
  name: hubName
  properties: {
    anonymousConnectPolicy: 'deny'
    eventHandlers: [
      {
        urlTemplate: 'https://${appHostName}/${eventHandler.urlPath}'
        systemEvents: eventHandler.systemEvents
        userEventPattern: eventHandler.userEventPattern
        auth: {
          type: 'ManagedIdentity'
          managedIdentity: {
            resource: eventAudience
          }
        }
      }
    ]
  }
}

output name string = webPubSub.name
output endpoint string = 'https://${webPubSub.properties.hostName}'
output principalId string = webPubSub.identity.principalId
output hubName string = hub.name
output eventHandlerUrl string = 'https://${appHostName}/${eventHandler.urlPath}'
