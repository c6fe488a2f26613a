using NeuralFP.Infra.Tests.Support;

namespace NeuralFP.Infra.Tests.Monitoring;

/// <summary>Telemetry lands in a workspace-based Application Insights component.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class MonitoringTests(InfrastructureFixture infra)
{
    [Fact]
    public void ApplicationInsightsStoresInTheLogAnalyticsWorkspace()
    {
        var workspace = infra.Initial.Single("Microsoft.OperationalInsights/workspaces");
        var component = infra.Initial.Single("Microsoft.Insights/components");

        Assert.Equal(workspace.Id, component.String("properties.WorkspaceResourceId"));
        Assert.Equal("web", component.String("properties.Application_Type"));
    }

    [Fact]
    public void WorkspaceKeepsLogsForTheConfiguredDays()
    {
        var workspace = infra.Initial.Single("Microsoft.OperationalInsights/workspaces");
        var retention = infra.Template.Parameter("logRetentionInDays");

        Assert.Equal(retention.GetProperty("defaultValue").GetInt32(), workspace.At("properties.retentionInDays").GetInt32());
        Assert.InRange(retention.GetProperty("minValue").GetInt32(), 30, 730);
    }
}
