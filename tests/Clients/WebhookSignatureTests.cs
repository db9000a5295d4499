using System.Text;
using OrleansSync.Clients.Webhooks;

namespace OrleansSync.Tests.Clients;

/// <summary>The published test vectors (../shared/docs/QUICKBOOKS-API.md §8 and HUBSPOT-API.md §8).</summary>
public sealed class WebhookSignatureTests
{
    private const string IntuitVerifierToken = "00faeec4-08d0-4996-bb37-698ae19f0149";
    private const string IntuitBody = """{"eventNotifications":[{"realmId":"1269959970","dataChangeEvent":{"entities":[{"name":"Vendor","id":"40","operation":"Update","lastUpdated":"2016-10-05T03:09:04.000Z"},{"name":"Customer","id":"43","operation":"Create","lastUpdated":"2016-10-05T03:07:04.000Z"}]}}]}""";
    private const string IntuitSignature = "6q+xGyMirJupwKTh2/WBl2NcdxzxqdIbk3sneKTxLWM=";

    private const string HubSpotSecret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
    private const string HubSpotBody = """[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]""";
    private const string ExampleUri = "https://www.example.com/webhook_uri";
    private const string ExampleBody = """{"example_field":"example_value"}""";

    [Fact]
    public void Intuit_signature_matches_the_published_vector()
    {
        var body = Encoding.UTF8.GetBytes(IntuitBody);
        Assert.Equal(IntuitSignature, IntuitWebhookSignature.Compute(body, IntuitVerifierToken));
        Assert.True(IntuitWebhookSignature.IsValid(body, IntuitSignature, IntuitVerifierToken));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("7q+xGyMirJupwKTh2/WBl2NcdxzxqdIbk3sneKTxLWM=")]
    public void Intuit_signature_refuses_a_wrong_or_missing_signature(string? signature)
        => Assert.False(IntuitWebhookSignature.IsValid(Encoding.UTF8.GetBytes(IntuitBody), signature, IntuitVerifierToken));

    [Fact]
    public void Intuit_signature_refuses_a_changed_body_or_another_token()
    {
        Assert.False(IntuitWebhookSignature.IsValid(Encoding.UTF8.GetBytes(IntuitBody + " "), IntuitSignature, IntuitVerifierToken));
        Assert.False(IntuitWebhookSignature.IsValid(Encoding.UTF8.GetBytes(IntuitBody), IntuitSignature, "another-token"));
    }

    [Fact]
    public void HubSpot_v1_matches_the_published_vector()
    {
        Assert.Equal("232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de", HubSpotSignature.ComputeV1(HubSpotSecret, Encoding.UTF8.GetBytes(HubSpotBody)));
        var request = new HubSpotSignedRequest("POST", ExampleUri, Encoding.UTF8.GetBytes(HubSpotBody), null, null, "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de", "v1");
        Assert.Equal(HubSpotSignatureCheck.Valid, HubSpotSignature.Check(request, HubSpotSecret, DateTimeOffset.UtcNow, "v1"));
        Assert.Equal(HubSpotSignatureCheck.Invalid, HubSpotSignature.Check(request, HubSpotSecret, DateTimeOffset.UtcNow, "v2"));
    }

    [Fact]
    public void HubSpot_v2_matches_the_published_vectors()
    {
        Assert.Equal("eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e", HubSpotSignature.ComputeV2(HubSpotSecret, "GET", ExampleUri, []));
        Assert.Equal("9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900", HubSpotSignature.ComputeV2(HubSpotSecret, "POST", ExampleUri, Encoding.UTF8.GetBytes(ExampleBody)));
    }

    [Fact]
    public void HubSpot_v3_matches_the_documented_algorithm_within_five_minutes()
    {
        const long timestamp = 1_700_000_000_000;
        const string expected = "rQEKkaNUiu+1qGF//O/pw4BCzstSqO1PyUnGICmf+7o=";
        Assert.Equal(expected, HubSpotSignature.ComputeV3(HubSpotSecret, "POST", ExampleUri, Encoding.UTF8.GetBytes(ExampleBody), timestamp));

        var sentAt = DateTimeOffset.FromUnixTimeMilliseconds(timestamp);
        var request = new HubSpotSignedRequest("POST", ExampleUri, Encoding.UTF8.GetBytes(ExampleBody), expected, "1700000000000", null, null);
        Assert.Equal(HubSpotSignatureCheck.Valid, HubSpotSignature.Check(request, HubSpotSecret, sentAt.AddMinutes(4)));
        Assert.Equal(HubSpotSignatureCheck.Expired, HubSpotSignature.Check(request, HubSpotSecret, sentAt.AddMinutes(6)));
        Assert.Equal(HubSpotSignatureCheck.Invalid, HubSpotSignature.Check(request with { Body = Encoding.UTF8.GetBytes(ExampleBody + " ") }, HubSpotSecret, sentAt));
        Assert.Equal(HubSpotSignatureCheck.Invalid, HubSpotSignature.Check(request, "another-secret", sentAt));
    }

    [Fact]
    public void HubSpot_v3_signs_the_uri_with_the_documented_escapes_decoded()
    {
        const long timestamp = 1_700_000_000_000;
        var encoded = HubSpotSignature.ComputeV3(HubSpotSecret, "GET", "https://www.example.com/card?email=ada%40example.com&path=%2Fx", [], timestamp);
        var decoded = HubSpotSignature.ComputeV3(HubSpotSecret, "GET", "https://www.example.com/card?email=ada@example.com&path=/x", [], timestamp);
        Assert.Equal(decoded, encoded);
        Assert.Equal("https://a.b/c?q=%20", HubSpotSignature.DecodeUri("https://a.b/c?q=%20"));
    }

    [Fact]
    public void HubSpot_requests_without_a_signature_are_missing_one()
    {
        var request = new HubSpotSignedRequest("POST", ExampleUri, Encoding.UTF8.GetBytes(ExampleBody), null, null, null, null);
        Assert.Equal(HubSpotSignatureCheck.Missing, HubSpotSignature.Check(request, HubSpotSecret, DateTimeOffset.UtcNow, "v1"));
    }
}
