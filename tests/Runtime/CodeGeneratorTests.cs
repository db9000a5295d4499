using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using OrleansSync.Runtime;
using OrleansSync.Runtime.CodeGenerator;

namespace OrleansSync.Tests.Runtime;

/// <summary>The generator writes references that compile, and explains the interfaces it cannot serve.</summary>
public sealed class CodeGeneratorTests
{
    [Fact]
    public void A_grain_interface_gets_a_reference_that_compiles()
    {
        var (diagnostics, generated, output) = Run("""
            using System.Threading.Tasks;
            using OrleansSync.Runtime;
            namespace Shop;
            public sealed record Item(string Sku, int Quantity);
            public interface ICartGrain : IGrainWithStringKey
            {
                Task Add(Item item);
                Task<Item[]> Items();
                ValueTask<int> Count();
                ValueTask Clear();
                Task<int> Total(string currency);
                Task<int> Total(string currency, bool withTax);
            }
            """);

        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var cart = Assert.Single(generated, g => g.HintName == "Shop.ICartGrain.g.cs").SourceText.ToString();
        Assert.Contains("internal sealed class ICartGrainReference : global::OrleansSync.Runtime.GrainReference, global::Shop.ICartGrain", cart);
        Assert.Contains("new(\"Total(string)\"", cart);
        Assert.Contains("new(\"Total(string,bool)\"", cart);
        Assert.Contains(generated, g => g.HintName == "GrainInterfaceModule.g.cs");
    }

    [Theory]
    [InlineData("int Count();", "OSG001")]
    [InlineData("void Reset();", "OSG001")]
    [InlineData("Task Move(ref int steps);", "OSG002")]
    [InlineData("Task Read(out int value);", "OSG002")]
    [InlineData("Task<T> Get<T>();", "OSG003")]
    [InlineData("int Size { get; }", "OSG004")]
    public void A_member_a_grain_cannot_serve_is_reported(string member, string diagnostic)
    {
        var (diagnostics, _, _) = Run($$"""
            using System.Threading.Tasks;
            using OrleansSync.Runtime;
            namespace Shop;
            public interface IBadGrain : IGrainWithStringKey
            {
                {{member}}
            }
            """);

        Assert.Equal(diagnostic, Assert.Single(diagnostics).Id);
    }

    [Fact]
    public void Generic_and_nested_grain_interfaces_are_reported()
    {
        var (diagnostics, _, _) = Run("""
            using System.Threading.Tasks;
            using OrleansSync.Runtime;
            namespace Shop;
            public interface IBoxGrain<T> : IGrainWithStringKey { Task<T> Get(); }
            public static class Outer { public interface IInnerGrain : IGrainWithStringKey { Task Ping(); } }
            """);

        Assert.Equal(["OSG005", "OSG006"], diagnostics.Select(d => d.Id).Order());
    }

    private static (ImmutableArray<Diagnostic> Diagnostics, ImmutableArray<GeneratedSourceResult> Generated, Compilation Output) Run(string source)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(IGrain).Assembly.Location));
        var compilation = CSharpCompilation.Create("Generated", [CSharpSyntaxTree.ParseText(source)], references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var driver = CSharpGeneratorDriver.Create(new GrainReferenceGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var result = driver.GetRunResult().Results.Single();
        return (result.Diagnostics, result.GeneratedSources, output);
    }
}
