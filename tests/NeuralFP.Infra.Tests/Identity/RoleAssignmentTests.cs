using System.Text.RegularExpressions;
using NeuralFP.Infra.Tests.Support;

namespace NeuralFP.Infra.Tests.Identity;

/// <summary>The app's identity holds exactly the data-plane roles it needs, each on the one resource it needs it on.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed partial class RoleAssignmentTests(InfrastructureFixture infra)
{
    [Fact]
    public void IdentityHoldsExactlyTheExpectedRolesAtTheExpectedScopes()
    {
        var storage = infra.Initial.Single("Microsoft.Storage/storageAccounts").Id;
        var serviceBus = infra.Initial.Single("Microsoft.ServiceBus/namespaces").Id;
        var appInsights = infra.Initial.Single("Microsoft.Insights/components").Id;
        var expected = new HashSet<(string Role, string Scope)>
        {
            (BuiltInRoles.StorageBlobDataOwner, storage),
            (BuiltInRoles.StorageQueueDataContributor, storage),
            (BuiltInRoles.StorageTableDataContributor, storage),
            (BuiltInRoles.ServiceBusDataReceiver, serviceBus),
            (BuiltInRoles.ServiceBusDataSender, serviceBus),
            (BuiltInRoles.MonitoringMetricsPublisher, appInsights),
        };

        var actual = infra.Initial.OfType("Microsoft.Authorization/roleAssignments")
            .Select(a => (RoleGuid(a.String("properties.roleDefinitionId")), Scope(a.Id)))
            .ToList();

        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected, actual.ToHashSet());
    }

    [Fact]
    public void EveryAssignmentIsForTheUserAssignedIdentityAsAServicePrincipal()
    {
        var identity = infra.Initial.Single("Microsoft.ManagedIdentity/userAssignedIdentities").Id;
        var assignments = infra.Initial.OfType("Microsoft.Authorization/roleAssignments");

        Assert.NotEmpty(assignments);
        Assert.All(assignments, a =>
        {
            Assert.Equal($"[reference('{identity}', '2023-01-31').principalId]", a.String("properties.principalId"));
            Assert.Equal("ServicePrincipal", a.String("properties.principalType"));
        });
    }

    [Fact]
    public void CompiledTemplateNamesTheBuiltInRoleDefinitionsByGuid()
    {
        var expected = new[]
        {
            BuiltInRoles.StorageBlobDataOwner, BuiltInRoles.StorageQueueDataContributor,
            BuiltInRoles.StorageTableDataContributor, BuiltInRoles.ServiceBusDataReceiver,
            BuiltInRoles.ServiceBusDataSender, BuiltInRoles.MonitoringMetricsPublisher,
        };

        var definitions = infra.Template.OfType("Microsoft.Authorization/roleAssignments")
            .Select(a => a.String("properties.roleDefinitionId"))
            .ToList();

        Assert.Equal(expected.Order(), definitions.Select(RoleGuidInExpression).Order());
        Assert.All(definitions, d =>
            Assert.StartsWith("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '", d, StringComparison.Ordinal));
    }

    [Fact]
    public void CompiledTemplateScopesEachAssignmentToOneResourceNotTheGroup()
    {
        var scopes = infra.Template.OfType("Microsoft.Authorization/roleAssignments")
            .Select(a => a.String("scope"))
            .ToList();

        Assert.Equal(6, scopes.Count);
        Assert.All(scopes, s => Assert.Matches(
            @"^\[resourceId\('Microsoft\.(Storage/storageAccounts|ServiceBus/namespaces|Insights/components)', parameters\('\w+'\)\)\]$",
            s));
    }

    private static string RoleGuid(string roleDefinitionId) =>
        RoleDefinitionPath().Match(roleDefinitionId) is { Success: true } m
            ? m.Groups[1].Value
            : throw new InvalidOperationException($"'{roleDefinitionId}' is not a subscription role definition ID.");

    private static string RoleGuidInExpression(string expression) =>
        GuidLiteral().Match(expression) is { Success: true } m
            ? m.Groups[1].Value
            : throw new InvalidOperationException($"'{expression}' names no role definition GUID.");

    // A snapshot gives an extension resource's ID as an expression over its scope's ID.
    private static string Scope(string assignmentId) =>
        ExtensionScope().Match(assignmentId) is { Success: true } m
            ? m.Groups[1].Value
            : throw new InvalidOperationException($"'{assignmentId}' is not an extension resource ID.");

    [GeneratedRegex(@"^/subscriptions/[0-9a-f-]+/providers/Microsoft\.Authorization/roleDefinitions/([0-9a-f-]{36})$")]
    private static partial Regex RoleDefinitionPath();

    [GeneratedRegex(@"'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'\)\]$")]
    private static partial Regex GuidLiteral();

    [GeneratedRegex(@"^\[extensionResourceId\('([^']+)', 'Microsoft\.Authorization/roleAssignments'")]
    private static partial Regex ExtensionScope();
}
