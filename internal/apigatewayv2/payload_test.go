package apigatewayv2

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// fixture reads one of aws-lambda-go's event fixtures (testdata/aws-lambda-go, with its notice).
func fixture(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "aws-lambda-go", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestEvent20MatchesFixture holds the 2.0 event to aws-lambda-go's fixture of one without an
// authorizer: the same members at the top, in requestContext and in requestContext.http (mTLS's
// authentication aside), and it decodes into events.APIGatewayV2HTTPRequest.
func TestEvent20MatchesFixture(t *testing.T) {
	want := fixture(t, "apigw-v2-request-no-authorizer.json")
	r := httptest.NewRequest("GET", "http://abc.execute-api.localhost/", nil)
	r.Header.Set("User-Agent", "curl/8")
	c := &call{r: r, requestID: "id", account: "000000000000", apiID: "abc", stage: "$default", routeKey: "$default", rawPath: "/", path: "/",
		sourceIP: "1.2.3.4", time: "21/Apr/2020:15:08:21 +0000", timeEpoch: 1587481701067, domainName: "abc.execute-api.localhost"}
	b, err := c.event20()
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	json.Unmarshal(b, &got)
	if g, w := keys(got), keys(want); !slices.Equal(g, w) {
		t.Errorf("event members = %v; fixture's %v", g, w)
	}
	wantRC := want["requestContext"].(map[string]any)
	delete(wantRC, "authentication")
	gotRC := got["requestContext"].(map[string]any)
	if g, w := keys(gotRC), keys(wantRC); !slices.Equal(g, w) {
		t.Errorf("requestContext members = %v; fixture's %v", g, w)
	}
	if g, w := keys(gotRC["http"].(map[string]any)), keys(wantRC["http"].(map[string]any)); !slices.Equal(g, w) {
		t.Errorf("requestContext.http members = %v; fixture's %v", g, w)
	}
	for _, h := range []string{"host", "user-agent", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto"} {
		if _, ok := got["headers"].(map[string]any)[h]; !ok {
			t.Errorf("headers lack %s: %v", h, got["headers"])
		}
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(b, &ev); err != nil || ev.RequestContext.HTTP.SourceIP != "1.2.3.4" || ev.RawPath != "/" {
		t.Errorf("events.APIGatewayV2HTTPRequest = %+v, %v", ev, err)
	}
}

// TestAuthorizerEvent20MatchesFixture holds a Lambda authorizer's 2.0 event to aws-lambda-go's.
func TestAuthorizerEvent20MatchesFixture(t *testing.T) {
	want := fixture(t, "apigw-v2-custom-authorizer-v2-request.json")
	ev := authorizerEvent20{Version: "2.0", Type: "REQUEST", RouteArn: "arn", IdentitySource: []string{"x"}, RouteKey: "$default", RawPath: "/",
		Cookies: []string{"a=b"}, Headers: map[string]string{"a": "b"}, QueryStringParameters: map[string]string{"q": "1"},
		PathParameters: map[string]string{"p": "1"}, StageVariables: map[string]string{"s": "1"}}
	b, _ := json.Marshal(ev)
	var got map[string]any
	json.Unmarshal(b, &got)
	if g, w := keys(got), keys(want); !slices.Equal(g, w) {
		t.Errorf("authorizer event members = %v; fixture's %v", g, w)
	}
	if !strings.Contains(string(b), `"routeArn":"arn"`) {
		t.Errorf("authorizer event = %s", b)
	}
}
