namespace OrleansSync.GrainInterfaces;

/// <summary>What kind of refusal a <see cref="Problem"/> is; the api turns it into an HTTP status.</summary>
public enum ProblemKind
{
    /// <summary>The request itself is malformed (400).</summary>
    BadRequest,

    /// <summary>Something it names does not exist (404).</summary>
    NotFound,

    /// <summary>The state of things forbids it for now — a setting to change, a connection to repair (409).</summary>
    Conflict,

    /// <summary>Well-formed, but a business rule refuses it (422).</summary>
    Unprocessable,

    /// <summary>HubSpot or QuickBooks could not be reached or failed (502).</summary>
    Upstream,
}

/// <summary>
/// A refusal a user can act on: a title, a detail saying what is wrong and what to do, and the items concerned (the
/// lines without a tax code, say). Grains return refusals rather than throw them, so that they cross silos intact.
/// </summary>
public sealed record Problem(ProblemKind Kind, string Title, string Detail, IReadOnlyList<string>? Items = null)
{
    public static Problem BadRequest(string title, string detail, IReadOnlyList<string>? items = null) => new(ProblemKind.BadRequest, title, detail, items);

    public static Problem NotFound(string title, string detail) => new(ProblemKind.NotFound, title, detail);

    public static Problem Conflict(string title, string detail) => new(ProblemKind.Conflict, title, detail);

    public static Problem Unprocessable(string title, string detail, IReadOnlyList<string>? items = null) => new(ProblemKind.Unprocessable, title, detail, items);

    public static Problem Upstream(string title, string detail) => new(ProblemKind.Upstream, title, detail);
}

/// <summary>A result, or the <see cref="Problem"/> that stopped it.</summary>
public sealed record Outcome<T>(T? Value, Problem? Problem)
{
    public bool Succeeded => Problem is null;

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Problem problem) => new(default, problem);
}
