// Every app setting of the Function App, and App Service Authentication.
// test/unit/infra.spec.ts reads `appSettings` below: each name is one the app reads
// (shared/config/settingNames.ts) or one of the platform settings that the test lists.
param functionAppName string
param storageAccountName string
param identityClientId string
param applicationInsightsName string
param webPubSubEndpoint string
param webPubSubPrincipalId string
param hubName string
param joinGroups string
param presenceGroups string
param entraAppId string

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var appSettings = {
  // The host's storage and the app's table, by the user-assigned identity.
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // Web PubSub's REST API with Entra ID (no connection string).
  AZURE_WEBPUBSUB_ENDPOINT: webPubSubEndpoint
  AZURE_WEBPUBSUB_HUB: hubName
  // Events carry an Entra ID token from Web PubSub's identity, for the app registration.
  SWITCHBOARD_EVENT_AUTH: 'entra'
  SWITCHBOARD_EVENT_AUDIENCE: entraAppId
  SWITCHBOARD_EVENT_TENANT_ID: tenant().tenantId
  SWITCHBOARD_EVENT_IDENTITY: webPubSubPrincipalId
  SWITCHBOARD_JOIN_GROUPS: joinGroups
  SWITCHBOARD_PRESENCE_GROUPS: presenceGroups
  // DefaultAzureCredential picks the user-assigned identity.
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // App Service Authentication signs users in with the identity as a federated credential.
  OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID: identityClientId
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

// Requests without a token pass (the app decides), so Web PubSub's abuse-protection OPTIONS and
// anonymous pages work; a signed-in user reaches the app with x-ms-client-principal headers.
// The Entra application keeps the default access token version (1), so the tokens Web PubSub
// gets for it carry the v1 issuer https://sts.windows.net/<tenant>/.
resource authentication 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  dependsOn: [
    settings
  ]
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: entraAppId
          clientSecretSettingName: 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID'
          openIdIssuer: 'https://sts.windows.net/${tenant().tenantId}/'
        }
        validation: {
          allowedAudiences: [
            entraAppId
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}
