// The app's user-assigned identity: storage, Application Insights, Web PubSub's REST API and
// App Service Authentication's sign-in (as a federated credential) all use it.
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
