targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; it names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Region of every resource; it must offer the Flex Consumption plan.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('The Web PubSub hub whose events the app handles.')
param hubName string = 'chat'

@description('SWITCHBOARD_JOIN_GROUPS: comma-separated group patterns clients may join; empty allows none.')
param joinGroups string = ''

@description('SWITCHBOARD_PRESENCE_GROUPS: comma-separated group patterns whose members get presence notices; empty means none.')
param presenceGroups string = ''

@description('Turns off access keys on Web PubSub: the app calls it with Entra ID and checks Entra tokens on events.')
param disableLocalAuth bool = true

@description('Web PubSub tier; Free_F1 has one unit and a daily message quota.')
@allowed(['Free_F1', 'Standard_S1', 'Premium_P1'])
param webPubSubSku string = 'Free_F1'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module functionApp 'app/functionApp.bicep' = {
  name: 'functionApp'
  scope: rg
  params: {
    name: 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
  }
}

module entraApp 'app/entraApp.bicep' = {
  name: 'entraApp'
  scope: rg
  params: {
    uniqueName: 'switchboard-${resourceToken}'
    displayName: 'Switchboard (${environmentName})'
    appHostName: functionApp.outputs.hostName
    identityPrincipalId: identity.outputs.principalId
  }
}

module webPubSub 'app/webPubSub.bicep' = {
  name: 'webPubSub'
  scope: rg
  params: {
    name: 'wps-${resourceToken}'
    location: location
    tags: tags
    sku: webPubSubSku
    disableLocalAuth: disableLocalAuth
    hubName: hubName
    appHostName: functionApp.outputs.hostName
    eventAudience: entraApp.outputs.appId
  }
}

module appSettings 'app/appSettings.bicep' = {
  name: 'appSettings'
  scope: rg
  params: {
    functionAppName: functionApp.outputs.name
    storageAccountName: storage.outputs.name
    identityClientId: identity.outputs.clientId
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    webPubSubEndpoint: webPubSub.outputs.endpoint
    webPubSubPrincipalId: webPubSub.outputs.principalId
    hubName: webPubSub.outputs.hubName
    joinGroups: joinGroups
    presenceGroups: presenceGroups
    entraAppId: entraApp.outputs.appId
  }
}

module roles 'app/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    webPubSubName: webPubSub.outputs.name
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = 'https://${functionApp.outputs.hostName}'
output AZURE_WEBPUBSUB_ENDPOINT string = webPubSub.outputs.endpoint
output AZURE_WEBPUBSUB_HUB string = webPubSub.outputs.hubName
output SWITCHBOARD_EVENT_HANDLER_URL string = webPubSub.outputs.eventHandlerUrl
output SWITCHBOARD_EVENT_AUDIENCE string = entraApp.outputs.appId
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
