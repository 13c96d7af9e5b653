extension microsoftGraphV1

// The Entra application that stands for the app. Web PubSub asks Entra ID for tokens whose
// audience is its client id; App Service Authentication validates those tokens and signs users
// in with it, using the app's managed identity as a federated credential instead of a secret.
param uniqueName string
param displayName string
param appHostName string
param identityPrincipalId string

@description('SWITCHBOARD_ADMIN_ROLE: the app role a caller of the admin API must hold.')
param adminRole string = 'Switchboard.Admin'

resource application 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMyOrg'
  // Assign it to operators (users) or to services (applications) that call api/admin/.
  appRoles: [
    {
      id: guid(uniqueName, adminRole)
      value: adminRole
      displayName: 'Switchboard administrator'
      description: 'Calls the admin API: sends, group changes, closes and permissions on the hub.'
      allowedMemberTypes: [
        'User'
        'Application'
      ]
      isEnabled: true
    }
  ]
  web: {
    redirectUris: [
      'https://${appHostName}/.auth/login/aad/callback'
    ]
    implicitGrantSettings: {
      enableIdTokenIssuance: true
    }
  }
  requiredResourceAccess: [
    {
      // Microsoft Graph, delegated User.Read: signing a user in.
      resourceAppId: '00000003-0000-0000-c000-000000000000'
      resourceAccess: [
        {
          id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d'
          type: 'Scope'
        }
      ]
    }
  ]
}

// Lets the app's managed identity stand in for a client secret (App Service Authentication's
// OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID).
resource identityCredential 'Microsoft.Graph/applications/federatedIdentityCredentials@v1.0' = {
  name: '${application.uniqueName}/app-identity'
  audiences: [
    'api://AzureADTokenExchange'
  ]
  issuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
  subject: identityPrincipalId
}

// A token for the application needs its service principal in the tenant (AADSTS500011 without).
resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: application.appId
}

output appId string = application.appId
