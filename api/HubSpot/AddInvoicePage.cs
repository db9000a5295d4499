using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;

namespace OrleansSync.Api.HubSpot;

/// <summary>
/// "Add existing invoice" (F11 from the card, F12): a small page HubSpot opens in an iframe — pick the company, search
/// its invoices by number, customer and dates, add one to the record. Rendered here, with no script or style from
/// anywhere else; the only script closes the iframe the way HubSpot asks
/// (<c>window.parent.postMessage(JSON.stringify({"action":"DONE"}),"*")</c>). Every request carries the token the
/// card put in the link (<see cref="CardActionLinks"/>), as HubSpot does not sign iframes.
/// </summary>
internal static class AddInvoicePage
{
    private const string Close = """window.parent.postMessage(JSON.stringify({"action":"DONE"}),"*");""";

    /// <summary>GET: the search form and, when asked, the company's invoices that match.</summary>
    public static async Task<IResult> ShowAsync(
        HttpContext context, string? portalId, string? objectType, string? objectId, string? token,
        string? realmId, string? number, string? customer, string? from, string? to, string? search,
        IGrainFactory grains, CardActionLinks links)
    {
        if (Allowed(portalId, objectType, objectId, token, links) is not { } allowed)
            return NotAllowed();
        var (portal, record) = allowed;

        var page = new Page(portal, record, token!);
        var settings = await grains.Tenant(portal).GetSettingsAsync();
        if (!settings.Installed)
            return page.Render(StatusCodes.Status404NotFound, Paragraph($"HubSpot account {portal} has not installed the app."));

        var companies = await Task.WhenAll(settings.ConnectedRealmIds.Select(async id => (Id: id, Name: (await grains.Account(portal, id).GetAsync()).CompanyName ?? id)));
        var chosen = realmId ?? (companies.Length == 1 ? companies[0].Id : null);
        var body = new StringBuilder();
        body.Append(page.SearchForm(companies, chosen, number, customer, from, to));
        if (search is null)
            return page.Render(StatusCodes.Status200OK, body.ToString());

        if (chosen is null || !settings.ConnectedRealmIds.Contains(chosen))
            return page.Render(StatusCodes.Status400BadRequest, body.Append(Paragraph("Pick one of the connected QuickBooks companies.", "problem")).ToString());
        if (!TryDate(from, out var fromDate) || !TryDate(to, out var toDate))
            return page.Render(StatusCodes.Status400BadRequest, body.Append(Paragraph("Dates are yyyy-mm-dd.", "problem")).ToString());

        var found = await grains.Account(portal, chosen).SearchInvoicesAsync(new InvoiceSearch(Blank(number), Blank(customer), fromDate, toDate, MaxResults: 25));
        if (found.Problem is { } problem)
            return page.Render(StatusCodes.Status200OK, body.Append(Paragraph(problem.Detail, "problem")).ToString());
        var linked = (await grains.Record(portal, record).GetInvoicesAsync()).Invoices
            .Select(l => (l.Invoice.Snapshot.RealmId, l.Invoice.Snapshot.InvoiceId))
            .ToHashSet();
        body.Append(page.Results(found.Value!, linked));
        return page.Render(StatusCodes.Status200OK, body.ToString());
    }

    /// <summary>POST: adds the invoice to the record, then closes the iframe (HubSpot then reloads the card).</summary>
    public static async Task<IResult> AddAsync(HttpContext context, IGrainFactory grains, CardActionLinks links)
    {
        if (!context.Request.HasFormContentType)
            return NotAllowed();
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (Allowed(form["portalId"], form["objectType"], form["objectId"], form["token"], links) is not { } allowed)
            return NotAllowed();
        var (portal, record) = allowed;

        var page = new Page(portal, record, form["token"]!);
        string realmId = form["realmId"].ToString(), invoiceId = form["invoiceId"].ToString();
        if (realmId.Length == 0 || invoiceId.Length == 0)
            return page.Render(StatusCodes.Status400BadRequest, Paragraph("Pick an invoice to add.", "problem") + page.BackLink());

        var cause = ChangeCause.Request(context.TraceIdentifier, $"add invoice {invoiceId} to {record} from the HubSpot record card");
        var linked = await grains.Record(portal, record).LinkInvoiceAsync(realmId, invoiceId, cause);
        if (linked.Problem is { } problem)
            return page.Render(StatusCodes.Status200OK, Paragraph(problem.Detail, "problem") + page.BackLink());

        var number = linked.Value!.Invoice.Snapshot.DocNumber ?? invoiceId;
        return page.Render(StatusCodes.Status200OK, Paragraph($"Invoice {number} was added to the {Singular(record)}.") + "<p><button type=\"button\" id=\"done\">Done</button></p>", closeNow: true);
    }

    private static (long Portal, CrmRecord Record)? Allowed(string? portalId, string? objectType, string? objectId, string? token, CardActionLinks links)
    {
        if (!CrmCardEndpoints.TryPortal(portalId, out var portal) || objectType is null || !CrmRecord.IsLinkable(objectType)
            || string.IsNullOrEmpty(objectId) || !objectId.All(char.IsAsciiDigit))
            return null;
        var record = new CrmRecord(objectType, objectId);
        return links.Allows(token, portal, record) ? (portal, record) : null;
    }

    private static IResult NotAllowed()
        => Html(StatusCodes.Status401Unauthorized, Document("Link expired", Paragraph("This link has expired or is not for this record. Close it and open \u201cAdd existing invoice\u201d from the card again."), nonce: null, closeNow: false));

    private static bool TryDate(string? text, out DateOnly? date)
    {
        date = null;
        if (string.IsNullOrWhiteSpace(text))
            return true;
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            return false;
        date = parsed;
        return true;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Singular(CrmRecord record) => record.ObjectType switch
    {
        CrmRecord.Deals => "deal",
        CrmRecord.Contacts => "contact",
        _ => "company",
    };

    private static string Encode(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    private static string Paragraph(string text, string? cssClass = null)
        => cssClass is null ? $"<p>{Encode(text)}</p>" : $"<p class=\"{cssClass}\">{Encode(text)}</p>";

    private static IResult Html(int status, string html) => new HtmlPage(status, html);

    private static string Document(string title, string body, string? nonce, bool closeNow)
    {
        var script = nonce is null
            ? ""
            : $"<script nonce=\"{nonce}\">function done(){{{Close}}}var b=document.getElementById('done');if(b)b.addEventListener('click',done);{(closeNow ? "done();" : "")}</script>";
        var style = nonce is null ? "" : $" nonce=\"{nonce}\"";
        return $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{Encode(title)}}</title>
            <style{{style}}>
            body{font:14px/1.45 system-ui,sans-serif;margin:16px;color:#33475b}h1{font-size:18px}label{display:inline-block;margin:0 12px 8px 0}
            input,select,button{font:inherit;padding:4px 6px}table{border-collapse:collapse;width:100%;margin-top:12px}
            th,td{text-align:left;padding:6px;border-bottom:1px solid #cbd6e2}td.n{text-align:right}.problem{color:#d94c53}
            </style></head><body><h1>{{Encode(title)}}</h1>
            {{body}}
            {{script}}
            </body></html>
            """;
    }

    /// <summary>One rendering of the page for one record, with the token every form sends back.</summary>
    private sealed class Page(long portal, CrmRecord record, string token)
    {
        private readonly string _nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

        public string SearchForm(IReadOnlyList<(string Id, string Name)> companies, string? chosen, string? number, string? customer, string? from, string? to)
        {
            var options = string.Concat(companies.Select(c => $"<option value=\"{Encode(c.Id)}\"{(c.Id == chosen ? " selected" : "")}>{Encode(c.Name)}</option>"));
            return $"""
                <p>Find an invoice made in QuickBooks and add it to this {Singular(record)} ({Encode(record.ObjectId)}).</p>
                <form method="get" action="add-invoice">{Hidden()}
                <label>Company <select name="realmId" required>{options}</select></label>
                <label>Number <input name="number" value="{Encode(number)}" size="10"></label>
                <label>Customer <input name="customer" value="{Encode(customer)}" size="18"></label>
                <label>From <input type="date" name="from" value="{Encode(from)}"></label>
                <label>To <input type="date" name="to" value="{Encode(to)}"></label>
                <button type="submit" name="search" value="1">Search</button>
                </form>
                """;
        }

        public string Results(IReadOnlyList<InvoiceSnapshot> invoices, HashSet<(string RealmId, string InvoiceId)> linked)
        {
            if (invoices.Count == 0)
                return Paragraph("No invoice matches.");
            var rows = new StringBuilder();
            foreach (var invoice in invoices)
            {
                var action = linked.Contains((invoice.RealmId, invoice.InvoiceId))
                    ? "Added"
                    : $"""<form method="post" action="add-invoice">{Hidden()}<input type="hidden" name="realmId" value="{Encode(invoice.RealmId)}"><input type="hidden" name="invoiceId" value="{Encode(invoice.InvoiceId)}"><button type="submit">Add</button></form>""";
                rows.Append(CultureInfo.InvariantCulture, $"<tr><td>{Encode(invoice.DocNumber ?? invoice.InvoiceId)}</td><td>{Encode(invoice.CustomerName)}</td><td>{invoice.TxnDate:yyyy-MM-dd}</td><td>{invoice.DueDate:yyyy-MM-dd}</td>")
                    .Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{invoice.TotalAmt:0.00} {Encode(invoice.Currency)}</td><td class=\"n\">{invoice.Balance:0.00}</td><td>{action}</td></tr>");
            }

            return $"<table><thead><tr><th>Number</th><th>Customer</th><th>Date</th><th>Due</th><th>Total</th><th>Balance</th><th></th></tr></thead><tbody>{rows}</tbody></table>";
        }

        public string BackLink()
            => $"<p><a href=\"add-invoice?portalId={portal}&amp;objectType={Encode(record.ObjectType)}&amp;objectId={Encode(record.ObjectId)}&amp;token={Encode(Uri.EscapeDataString(token))}\">Back to the search</a></p>";

        public IResult Render(int status, string body, bool closeNow = false)
            => new HtmlPage(status, Document("Add existing invoice", body, _nonce, closeNow), _nonce);

        private string Hidden()
            => $"""<input type="hidden" name="portalId" value="{portal}"><input type="hidden" name="objectType" value="{Encode(record.ObjectType)}"><input type="hidden" name="objectId" value="{Encode(record.ObjectId)}"><input type="hidden" name="token" value="{Encode(token)}">""";
    }

    /// <summary>
    /// The page, with headers that keep it to itself: only its own inline style and script (by nonce), forms posting
    /// back here, framed by HubSpot only, not cached, and no referrer carrying the token anywhere.
    /// </summary>
    private sealed class HtmlPage(int status, string html, string? nonce = null) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = "text/html; charset=utf-8";
            var sources = nonce is null ? "" : $"; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'";
            response.Headers.ContentSecurityPolicy = $"default-src 'none'{sources}; form-action 'self'; base-uri 'none'; frame-ancestors https://*.hubspot.com";
            response.Headers.CacheControl = "no-store";
            response.Headers["Referrer-Policy"] = "no-referrer";
            return response.WriteAsync(html, httpContext.RequestAborted);
        }
    }
}
