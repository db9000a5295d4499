using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace OrleansSync.Runtime.CodeGenerator;

/// <summary>What the generator needs to know about one grain interface, as plain values so that Roslyn can cache it.</summary>
internal sealed record GrainInterfaceModel(
    string FullName,
    string Namespace,
    string Name,
    string Accessibility,
    EquatableArray<GrainMethodModel> Methods,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    public const string IGrainName = "OrleansSync.Runtime.IGrain";
    public const string IGrainWithStringKeyName = "OrleansSync.Runtime.IGrainWithStringKey";

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>The namespace generated code for <paramref name="interfaceNamespace"/> lives in.</summary>
    public static string GeneratedNamespace(string interfaceNamespace)
        => interfaceNamespace.Length == 0 ? "OrleansSync.Generated" : "OrleansSync.Generated." + interfaceNamespace;

    /// <summary>The fully qualified name of the static class that holds an interface's method descriptors.</summary>
    public static string MethodsClassOf(INamedTypeSymbol grainInterface)
        => "global::" + GeneratedNamespace(NamespaceOf(grainInterface)) + "." + grainInterface.Name + "Methods";

    public static bool IsGrainInterface(INamedTypeSymbol symbol)
    {
        if (symbol.TypeKind != TypeKind.Interface)
            return false;
        var name = symbol.ToDisplayString();
        if (name == IGrainName || name == IGrainWithStringKeyName)
            return false;
        return symbol.AllInterfaces.Any(i => i.ToDisplayString() == IGrainName);
    }

    public static GrainInterfaceModel? Create(INamedTypeSymbol symbol)
    {
        if (!IsGrainInterface(symbol))
            return null;

        var diagnostics = new List<DiagnosticInfo>();
        var location = symbol.Locations.FirstOrDefault();
        if (symbol.IsGenericType)
            diagnostics.Add(DiagnosticInfo.Create(GrainDiagnostics.GenericInterface, location, symbol.Name));
        if (symbol.ContainingType is not null)
            diagnostics.Add(DiagnosticInfo.Create(GrainDiagnostics.NestedInterface, location, symbol.Name));

        var methods = new List<GrainMethodModel>();
        foreach (var declaring in new[] { symbol }.Concat(symbol.AllInterfaces.Where(IsGrainInterface)))
        {
            var declaredHere = SymbolEqualityComparer.Default.Equals(declaring, symbol);
            var members = declaring.GetMembers().Where(m => !m.IsStatic && m.IsAbstract).ToList();
            var overloaded = new HashSet<string>(members.OfType<IMethodSymbol>().GroupBy(m => m.Name).Where(g => g.Count() > 1).Select(g => g.Key));
            foreach (var member in members)
            {
                // A property's or event's accessors are reported with the property or event itself.
                if (member is IMethodSymbol { AssociatedSymbol: not null })
                    continue;
                if (member is not IMethodSymbol method || method.MethodKind != MethodKind.Ordinary)
                {
                    if (declaredHere)
                        diagnostics.Add(DiagnosticInfo.Create(GrainDiagnostics.NotAMethod, member.Locations.FirstOrDefault(), member.Name, symbol.Name));
                    continue;
                }

                var model = GrainMethodModel.Create(method, MethodsClassOf(declaring), overloaded.Contains(method.Name), declaredHere, TypeFormat, diagnostics);
                if (model is not null)
                    methods.Add(model);
            }
        }

        return new GrainInterfaceModel(
            symbol.ToDisplayString(TypeFormat),
            NamespaceOf(symbol),
            symbol.Name,
            symbol.DeclaredAccessibility == Microsoft.CodeAnalysis.Accessibility.Public ? "public" : "internal",
            new EquatableArray<GrainMethodModel>(methods.ToImmutableArray()),
            new EquatableArray<DiagnosticInfo>(diagnostics.ToImmutableArray()));
    }

    private static string NamespaceOf(INamedTypeSymbol symbol)
        => symbol.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : "";
}

internal enum ReturnShape
{
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
}

/// <summary>One method of a grain interface, declared there or inherited from another grain interface.</summary>
internal sealed record GrainMethodModel(
    string Name,
    string WireName,
    string Identifier,
    string MethodsClass,
    bool DeclaredHere,
    string DeclaringInterface,
    ReturnShape Shape,
    string ReturnType,
    string ResultType,
    EquatableArray<ParameterModel> Parameters)
{
    public string ArgsType => Parameters.Length == 0 ? "global::OrleansSync.Runtime.NoArgs" : MethodsClass + "." + Identifier + "Args";

    public static GrainMethodModel? Create(IMethodSymbol method, string methodsClass, bool overloaded, bool declaredHere, SymbolDisplayFormat format, List<DiagnosticInfo> diagnostics)
    {
        var location = method.Locations.FirstOrDefault();
        var shape = ShapeOf(method.ReturnType);
        var ok = true;
        if (shape is null)
        {
            if (declaredHere)
                diagnostics.Add(DiagnosticInfo.Create(GrainDiagnostics.BadReturnType, location, method.Name, method.ReturnType.ToDisplayString()));
            ok = false;
        }

        if (method.IsGenericMethod)
        {
            if (declaredHere)
                diagnostics.Add(DiagnosticInfo.Create(GrainDiagnostics.GenericMethod, location, method.Name));
            ok = false;
        }

        foreach (var parameter in method.Parameters.Where(p => p.RefKind != RefKind.None || p.IsParams))
        {
            if (declaredHere)
                diagnostics.Add(DiagnosticInfo.Create(GrainDiagnostics.BadParameter, parameter.Locations.FirstOrDefault(), parameter.Name, method.Name));
            ok = false;
        }

        if (!ok)
            return null;

        var parameters = method.Parameters.Select(p => new ParameterModel(p.Name, p.Type.ToDisplayString(format))).ToImmutableArray();
        var wireName = overloaded ? method.Name + "(" + string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString())) + ")" : method.Name;
        var identifier = overloaded ? method.Name + "_" + string.Join("_", method.Parameters.Select(p => Sanitize(p.Type.Name))) : method.Name;
        var resultType = shape is ReturnShape.TaskOfT or ReturnShape.ValueTaskOfT
            ? ((INamedTypeSymbol)method.ReturnType).TypeArguments[0].ToDisplayString(format)
            : "global::OrleansSync.Runtime.VoidResult";

        return new GrainMethodModel(
            method.Name,
            wireName,
            identifier,
            methodsClass,
            declaredHere,
            method.ContainingType.ToDisplayString(format),
            shape!.Value,
            method.ReturnType.ToDisplayString(format),
            resultType,
            new EquatableArray<ParameterModel>(parameters));
    }

    private static ReturnShape? ShapeOf(ITypeSymbol type)
    {
        var name = type.OriginalDefinition.ToDisplayString();
        return name switch
        {
            "System.Threading.Tasks.Task" => ReturnShape.Task,
            "System.Threading.Tasks.Task<TResult>" => ReturnShape.TaskOfT,
            "System.Threading.Tasks.ValueTask" => ReturnShape.ValueTask,
            "System.Threading.Tasks.ValueTask<TResult>" => ReturnShape.ValueTaskOfT,
            _ => null,
        };
    }

    private static string Sanitize(string name) => new string(name.Where(char.IsLetterOrDigit).ToArray());
}

internal sealed record ParameterModel(string Name, string Type);
