using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using NeuralFP.LocalHost.Functions;
using NeuralFP.LocalHost.Worker;

namespace NeuralFP.LocalHost.Http;

/// <summary>
/// The HTTP functions' routes ({routePrefix}/{route or function name}) and methods, most specific template first,
/// as the Functions host matches them.
/// </summary>
internal sealed class HttpFunctionRoutes(AppSettings settings, string routePrefix)
{
    private readonly ConditionalWeakTable<WorkerSession, IReadOnlyList<Route>> _bySession = new();

    public (IndexedFunction Function, RouteValueDictionary Values)? Match(WorkerSession session, HttpRequest request)
    {
        var routes = _bySession.GetValue(session, Build);
        var pathMatched = false;
        foreach (var route in routes)
        {
            var values = new RouteValueDictionary();
            if (!route.Matcher.TryMatch(request.Path, values)) continue;
            pathMatched = true;
            if (route.Methods is { Count: > 0 } methods && !methods.Contains(request.Method, StringComparer.OrdinalIgnoreCase)) continue;
            return (route.Function, values);
        }
        if (pathMatched) request.HttpContext.Items[MethodNotAllowedKey] = true;
        return null;
    }

    public const string MethodNotAllowedKey = "NeuralFP.LocalHost.MethodNotAllowed";

    private IReadOnlyList<Route> Build(WorkerSession session) => session.Functions
        .Where(f => f.Trigger.Is("httpTrigger"))
        .Select(f =>
        {
            var suffix = settings.Resolve(f.Trigger.String("route") ?? f.Name).Trim('/');
            var template = TemplateParser.Parse(string.IsNullOrEmpty(routePrefix) ? suffix : $"{routePrefix.Trim('/')}/{suffix}");
            return new Route(f, new TemplateMatcher(template, Defaults(template)), f.Trigger.Strings("methods"), RoutePrecedence.ComputeInbound(template));
        })
        .OrderBy(r => r.Precedence)
        .ToArray();

    private static RouteValueDictionary Defaults(RouteTemplate template)
    {
        var defaults = new RouteValueDictionary();
        foreach (var parameter in template.Parameters)
            if (parameter.DefaultValue is not null) defaults[parameter.Name!] = parameter.DefaultValue;
        return defaults;
    }

    private sealed record Route(IndexedFunction Function, TemplateMatcher Matcher, IReadOnlyList<string>? Methods, decimal Precedence);
}
