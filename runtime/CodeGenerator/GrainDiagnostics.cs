using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace OrleansSync.Runtime.CodeGenerator;

internal static class GrainDiagnostics
{
    private const string Category = "OrleansSync.Grains";

    public static readonly DiagnosticDescriptor BadReturnType = new(
        "OSG001", "Grain method must be asynchronous",
        "Grain method '{0}' returns {1}; grain methods return Task, Task<T>, ValueTask or ValueTask<T>",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor BadParameter = new(
        "OSG002", "Grain method parameters are passed by value",
        "Parameter '{0}' of grain method '{1}' is ref, out, in or params; grain calls may cross the network, so parameters are plain values",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor GenericMethod = new(
        "OSG003", "Grain methods are not generic",
        "Grain method '{0}' is generic; grain methods have fixed parameter and result types",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotAMethod = new(
        "OSG004", "Grain interfaces declare only methods",
        "'{0}' in grain interface '{1}' is not a method; grain interfaces declare methods only",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor GenericInterface = new(
        "OSG005", "Grain interfaces are not generic",
        "Grain interface '{0}' is generic; declare one interface per type instead",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NestedInterface = new(
        "OSG006", "Grain interfaces are top-level",
        "Grain interface '{0}' is nested in a type; declare it directly in a namespace",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}

/// <summary>A diagnostic as plain values, so that it can travel through the incremental pipeline.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, string? FilePath, TextSpan Span, LinePositionSpan LineSpan, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
        => new(descriptor, location?.SourceTree?.FilePath, location?.SourceSpan ?? default, location?.GetLineSpan().Span ?? default,
            new EquatableArray<string>(arguments.ToImmutableArray()));

    public Diagnostic ToDiagnostic()
    {
        var location = FilePath is null ? Location.None : Location.Create(FilePath, Span, LineSpan);
        return Diagnostic.Create(Descriptor, location, Arguments.Cast<object>().ToArray());
    }
}

/// <summary>An immutable array compared by its elements, as incremental generator models must be.</summary>
internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IEnumerable<T>
{
    private readonly ImmutableArray<T> _items;

    public EquatableArray(ImmutableArray<T> items) => _items = items;

    public int Length => _items.IsDefault ? 0 : _items.Length;

    public bool Equals(EquatableArray<T> other)
        => Length == other.Length && (Length == 0 || _items.SequenceEqual(other._items));

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = 17;
        foreach (var item in this)
            hash = (hash * 31) + (item?.GetHashCode() ?? 0);
        return hash;
    }

    public IEnumerator<T> GetEnumerator() => (_items.IsDefault ? ImmutableArray<T>.Empty : _items).AsEnumerable().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
