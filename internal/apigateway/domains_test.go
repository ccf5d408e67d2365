package apigateway_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// proxyAPI makes a REST API whose /{proxy+} (ANY) passes requests to an HTTP endpoint, deployed
// to stage.
func proxyAPI(t *testing.T, c *apigateway.Client, upstream, stage string) string {
	t.Helper()
	api := must(c.CreateRestApi(bg, &apigateway.CreateRestApiInput{Name: aws.String("proxy")}))
	res := must(c.CreateResource(bg, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("{proxy+}")}))
	must(c.PutMethod(bg, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("ANY"), AuthorizationType: aws.String("NONE"),
		RequestParameters: map[string]bool{"method.request.path.proxy": true}}))
	must(c.PutIntegration(bg, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("ANY"),
		Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("ANY"), Uri: aws.String(upstream + "/rest/{proxy}"),
		RequestParameters: map[string]string{"integration.request.path.proxy": "method.request.path.proxy"}}))
	must(c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String(stage)}))
	return *api.Id
}

// upstream answers the path it was asked for.
func upstream(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"path": r.URL.Path, "query": r.URL.RawQuery})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// atHost sends GET path to the server with Host host, and answers the status and the path the
// upstream saw (or the body).
func atHost(t *testing.T, srv *gureumtest.Server, host, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.Endpoint+path, nil)
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var got map[string]string
	if json.Unmarshal(b, &got) == nil && got["path"] != "" {
		return resp.StatusCode, got["path"]
	}
	return resp.StatusCode, string(b)
}

// TestCustomDomainByHost: a domain made with the REST APIs' CreateDomainName is the HTTP APIs'
// too; requests whose Host is the domain reach the mapping whose base path (one or several
// segments) is the longest prefix of their path, REST or HTTP API alike, on the main listener.
func TestCustomDomainByHost(t *testing.T) {
	each(t, func(t *testing.T, c *apigateway.Client, srv *gureumtest.Server) {
		v2 := apigatewayv2.NewFromConfig(srv.Config())
		up := upstream(t)
		orders := proxyAPI(t, c, up, "prod")
		legacy := proxyAPI(t, c, up, "v1")
		d := must(c.CreateDomainName(bg, &apigateway.CreateDomainNameInput{DomainName: aws.String("Shop.Example.com"),
			RegionalCertificateArn: aws.String("arn:aws:acm:us-east-1:000000000000:certificate/x"),
			EndpointConfiguration:  &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypeRegional}}}))
		if aws.ToString(d.DomainName) != "shop.example.com" || !strings.HasSuffix(aws.ToString(d.RegionalDomainName), ".execute-api.localhost") ||
			d.DomainNameStatus != types.DomainNameStatusAvailable {
			t.Errorf("CreateDomainName = %+v", d)
		}
		if _, err := c.CreateDomainName(bg, &apigateway.CreateDomainNameInput{DomainName: aws.String("shop.example.com")}); code(err) != "ConflictException" {
			t.Errorf("CreateDomainName(again) = %v; want ConflictException", err)
		}
		must(c.CreateBasePathMapping(bg, &apigateway.CreateBasePathMappingInput{DomainName: d.DomainName, BasePath: aws.String("orders/v2"),
			RestApiId: aws.String(orders), Stage: aws.String("prod")}))
		must(c.CreateBasePathMapping(bg, &apigateway.CreateBasePathMappingInput{DomainName: d.DomainName, BasePath: aws.String("orders"),
			RestApiId: aws.String(legacy), Stage: aws.String("v1")}))
		if _, err := c.CreateBasePathMapping(bg, &apigateway.CreateBasePathMappingInput{DomainName: d.DomainName, BasePath: aws.String("orders"),
			RestApiId: aws.String(legacy), Stage: aws.String("v1")}); code(err) != "ConflictException" {
			t.Errorf("CreateBasePathMapping(same base path) = %v; want ConflictException", err)
		}
		if _, err := c.CreateBasePathMapping(bg, &apigateway.CreateBasePathMappingInput{DomainName: d.DomainName, BasePath: aws.String("x"),
			RestApiId: aws.String(orders), Stage: aws.String("nope")}); code(err) != "BadRequestException" {
			t.Errorf("CreateBasePathMapping(no such stage) = %v; want BadRequestException", err)
		}
		// The HTTP API takes the rest of the domain through an API mapping made with apigatewayv2.
		httpAPI := must(v2.CreateApi(bg, &apigatewayv2.CreateApiInput{Name: aws.String("site"), ProtocolType: v2types.ProtocolTypeHttp,
			Target: aws.String(up + "/http")}))
		must(v2.CreateApiMapping(bg, &apigatewayv2.CreateApiMappingInput{DomainName: d.DomainName, ApiId: httpAPI.ApiId, Stage: aws.String("$default")}))

		for _, tc := range []struct{ host, path, want string }{
			{"shop.example.com", "/orders/v2/items/7", "/rest/items/7"},
			{"SHOP.example.com:443", "/orders/v2/items/7", "/rest/items/7"},
			{"shop.example.com", "/orders/items/7", "/rest/items/7"},
			{"shop.example.com", "/orders/v2x/a", "/rest/v2x/a"},
			{"shop.example.com", "/about", "/http"},
		} {
			if status, got := atHost(t, srv, tc.host, tc.path); status != 200 || got != tc.want {
				t.Errorf("GET %s%s = %d %s; want 200 with the upstream asked %s", tc.host, tc.path, status, got, tc.want)
			}
		}
		if status, _ := atHost(t, srv, "other.example.com", "/orders/v2/items/7"); status == 200 {
			t.Errorf("GET through a host that is no domain = %d; want a refusal", status)
		}

		// An API mapping made with apigatewayv2 may name a REST API too.
		must(v2.CreateApiMapping(bg, &apigatewayv2.CreateApiMappingInput{DomainName: d.DomainName, ApiId: aws.String(orders), Stage: aws.String("prod"),
			ApiMappingKey: aws.String("shop/v3")}))
		if status, got := atHost(t, srv, "shop.example.com", "/shop/v3/cart"); status != 200 || got != "/rest/cart" {
			t.Errorf("GET through a v2 API mapping to a REST API = %d %s; want /rest/cart", status, got)
		}

		// Both generations see one domain and its mappings.
		if got := must(v2.GetApiMappings(bg, &apigatewayv2.GetApiMappingsInput{DomainName: d.DomainName})); len(got.Items) != 4 {
			t.Errorf("apigatewayv2 GetApiMappings = %d items; want 4 (two base path mappings and two API mappings)", len(got.Items))
		}
		ms := must(c.GetBasePathMappings(bg, &apigateway.GetBasePathMappingsInput{DomainName: d.DomainName}))
		if len(ms.Items) != 4 || aws.ToString(ms.Items[0].BasePath) != "(none)" {
			t.Errorf("GetBasePathMappings = %+v", ms.Items)
		}
		if m := must(c.GetBasePathMapping(bg, &apigateway.GetBasePathMappingInput{DomainName: d.DomainName, BasePath: aws.String("orders/v2")})); aws.ToString(m.RestApiId) != orders {
			t.Errorf("GetBasePathMapping(orders/v2) = %+v", m)
		}
		must(c.DeleteBasePathMapping(bg, &apigateway.DeleteBasePathMappingInput{DomainName: d.DomainName, BasePath: aws.String("orders/v2")}))
		if status, got := atHost(t, srv, "shop.example.com", "/orders/v2/items/7"); status != 200 || got != "/rest/v2/items/7" {
			t.Errorf("after DeleteBasePathMapping(orders/v2): %d %s; want the orders mapping", status, got)
		}
		if ds := must(c.GetDomainNames(bg, &apigateway.GetDomainNamesInput{})); len(ds.Items) != 1 {
			t.Errorf("GetDomainNames = %+v", ds.Items)
		}
		must(c.DeleteDomainName(bg, &apigateway.DeleteDomainNameInput{DomainName: d.DomainName}))
		if _, err := v2.GetDomainName(bg, &apigatewayv2.GetDomainNameInput{DomainName: d.DomainName}); code(err) != "NotFoundException" {
			t.Errorf("apigatewayv2 GetDomainName(deleted) = %v; want NotFoundException", err)
		}
		if status, _ := atHost(t, srv, "shop.example.com", "/about"); status == 200 {
			t.Errorf("GET through a deleted domain = %d; want a refusal", status)
		}
	})
}

// TestUpdateDomainAndMapping: UpdateDomainName's patch operations (certificates, endpoint type,
// security policy) and UpdateBasePathMapping's (base path, API, stage), with AWS's refusals, and
// the data plane following a mapping moved to another API.
func TestUpdateDomainAndMapping(t *testing.T) {
	each(t, func(t *testing.T, c *apigateway.Client, srv *gureumtest.Server) {
		up := upstream(t)
		a, b := proxyAPI(t, c, up, "prod"), proxyAPI(t, c, up, "beta")
		edge := "arn:aws:acm:us-east-1:000000000000:certificate/edge"
		regional := "arn:aws:acm:us-east-1:000000000000:certificate/regional"
		d := must(c.CreateDomainName(bg, &apigateway.CreateDomainNameInput{DomainName: aws.String("api.example.org"), CertificateArn: aws.String(edge)}))
		replace := func(path, value string) types.PatchOperation {
			return types.PatchOperation{Op: types.OpReplace, Path: aws.String(path), Value: aws.String(value)}
		}
		patchDomain := func(ops ...types.PatchOperation) (*apigateway.UpdateDomainNameOutput, error) {
			return c.UpdateDomainName(bg, &apigateway.UpdateDomainNameInput{DomainName: d.DomainName, PatchOperations: ops})
		}
		got := must(patchDomain(replace("/securityPolicy", "TLS_1_0"), replace("/certificateName", "edge-cert")))
		if got.SecurityPolicy != types.SecurityPolicyTls10 || aws.ToString(got.CertificateName) != "edge-cert" || aws.ToString(got.CertificateArn) != edge {
			t.Errorf("UpdateDomainName(securityPolicy, certificateName) = %+v", got)
		}
		for _, tc := range []struct {
			name string
			ops  []types.PatchOperation
		}{
			{"unknown path", []types.PatchOperation{replace("/domainName", "x.example.org")}},
			{"remove", []types.PatchOperation{{Op: types.OpRemove, Path: aws.String("/securityPolicy")}}},
			{"bad policy", []types.PatchOperation{replace("/securityPolicy", "TLS_9")}},
			{"another account's certificate", []types.PatchOperation{replace("/certificateArn", "arn:aws:acm:us-east-1:111111111111:certificate/x")}},
			{"regional without its certificate", []types.PatchOperation{replace("/endpointConfiguration/types/EDGE", "REGIONAL")}},
			{"not the current type", []types.PatchOperation{replace("/endpointConfiguration/types/REGIONAL", "EDGE")}},
		} {
			if _, err := patchDomain(tc.ops...); code(err) != "BadRequestException" {
				t.Errorf("UpdateDomainName(%s) = %v; want BadRequestException", tc.name, err)
			}
		}
		got = must(patchDomain(replace("/endpointConfiguration/types/EDGE", "REGIONAL"), replace("/regionalCertificateArn", regional)))
		if got.EndpointConfiguration == nil || len(got.EndpointConfiguration.Types) != 1 || got.EndpointConfiguration.Types[0] != types.EndpointTypeRegional ||
			aws.ToString(got.RegionalCertificateArn) != regional || aws.ToString(got.CertificateArn) != "" || !strings.HasSuffix(aws.ToString(got.RegionalDomainName), ".execute-api.localhost") {
			t.Errorf("UpdateDomainName(to REGIONAL) = %+v", got)
		}
		if _, err := c.UpdateDomainName(bg, &apigateway.UpdateDomainNameInput{DomainName: aws.String("nope.example.org"),
			PatchOperations: []types.PatchOperation{replace("/securityPolicy", "TLS_1_2")}}); code(err) != "NotFoundException" {
			t.Errorf("UpdateDomainName(unknown domain) = %v; want NotFoundException", err)
		}

		must(c.CreateBasePathMapping(bg, &apigateway.CreateBasePathMappingInput{DomainName: d.DomainName, BasePath: aws.String("shop"), RestApiId: aws.String(a), Stage: aws.String("prod")}))
		must(c.CreateBasePathMapping(bg, &apigateway.CreateBasePathMappingInput{DomainName: d.DomainName, BasePath: aws.String("taken"), RestApiId: aws.String(a), Stage: aws.String("prod")}))
		patchMapping := func(base string, ops ...types.PatchOperation) (*apigateway.UpdateBasePathMappingOutput, error) {
			return c.UpdateBasePathMapping(bg, &apigateway.UpdateBasePathMappingInput{DomainName: d.DomainName, BasePath: aws.String(base), PatchOperations: ops})
		}
		for _, tc := range []struct {
			name, want string
			ops        []types.PatchOperation
		}{
			{"a stage the new API lacks", "BadRequestException", []types.PatchOperation{replace("/restapiId", b)}},
			{"an unknown API", "NotFoundException", []types.PatchOperation{replace("/restapiId", "nope123456"), replace("/stage", "beta")}},
			{"a base path in use", "ConflictException", []types.PatchOperation{replace("/basePath", "taken")}},
			{"a bad base path", "BadRequestException", []types.PatchOperation{replace("/basePath", "a b")}},
			{"an unknown path", "BadRequestException", []types.PatchOperation{replace("/domainName", "x")}},
		} {
			if _, err := patchMapping("shop", tc.ops...); code(err) != tc.want {
				t.Errorf("UpdateBasePathMapping(%s) = %v; want %s", tc.name, err, tc.want)
			}
		}
		if _, err := patchMapping("nope", replace("/stage", "prod")); code(err) != "NotFoundException" {
			t.Errorf("UpdateBasePathMapping(unknown base path) = %v; want NotFoundException", err)
		}
		m := must(patchMapping("shop", replace("/restapiId", b), replace("/stage", "beta"), replace("/basePath", "store/v2")))
		if aws.ToString(m.BasePath) != "store/v2" || aws.ToString(m.RestApiId) != b || aws.ToString(m.Stage) != "beta" {
			t.Errorf("UpdateBasePathMapping = %+v", m)
		}
		if g := must(c.GetBasePathMapping(bg, &apigateway.GetBasePathMappingInput{DomainName: d.DomainName, BasePath: aws.String("store/v2")})); aws.ToString(g.RestApiId) != b {
			t.Errorf("GetBasePathMapping(store/v2) = %+v", g)
		}
		if status, got := atHost(t, srv, "api.example.org", "/store/v2/items/1"); status != 200 || got != "/rest/items/1" {
			t.Errorf("GET through the moved mapping = %d %s; want the upstream asked /rest/items/1", status, got)
		}
		if status, _ := atHost(t, srv, "api.example.org", "/shop/items/1"); status == 200 {
			t.Errorf("GET through the old base path = %d; want a refusal", status)
		}
	})
}
