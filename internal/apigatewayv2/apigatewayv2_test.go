package apigatewayv2_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
	"github.com/gureum/gureum/internal/sandbox"
)

func TestMain(m *testing.M) {
	sandbox.Init()
	os.Exit(m.Run())
}

var bg = context.Background()

// each runs fn against a fresh server on every store backend.
func each(t *testing.T, fn func(t *testing.T, c *apigatewayv2.Client, srv *gureumtest.Server)) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			fn(t, apigatewayv2.NewFromConfig(srv.Config()), srv)
		})
	}
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprintf("no API error: %v", err)
}

// must returns v, and fails the test (by a panic the test reports) on an error.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// get calls an API through the path form of its invoke URL.
func get(t testing.TB, srv *gureumtest.Server, method, apiID, path string, header http.Header, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.Endpoint+"/_gureum/execute-api-v2/"+apiID+path, strings.NewReader(body))
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestControlPlane walks an HTTP API through its control plane with the SDK: the API, routes,
// integrations, authorizers, stages, deployments, tags, and the errors AWS answers.
func TestControlPlane(t *testing.T) {
	each(t, func(t *testing.T, c *apigatewayv2.Client, srv *gureumtest.Server) {
		api := must(c.CreateApi(bg, &apigatewayv2.CreateApiInput{Name: aws.String("pets"), ProtocolType: types.ProtocolTypeHttp,
			Tags: map[string]string{"team": "a"}}))
		id := aws.ToString(api.ApiId)
		port := srv.Endpoint[strings.LastIndex(srv.Endpoint, ":"):]
		if want := "http://" + id + ".execute-api.localhost" + port; aws.ToString(api.ApiEndpoint) != want ||
			aws.ToString(api.RouteSelectionExpression) != "${request.method} ${request.path}" || api.CreatedDate == nil {
			t.Errorf("CreateApi = %s %s %v; want endpoint %s", aws.ToString(api.ApiEndpoint), aws.ToString(api.RouteSelectionExpression), api.CreatedDate, want)
		}
		got := must(c.GetApi(bg, &apigatewayv2.GetApiInput{ApiId: api.ApiId}))
		if aws.ToString(got.Name) != "pets" || got.Tags["team"] != "a" {
			t.Errorf("GetApi = %+v", got)
		}
		upd := must(c.UpdateApi(bg, &apigatewayv2.UpdateApiInput{ApiId: api.ApiId, Description: aws.String("d"),
			CorsConfiguration: &types.Cors{AllowOrigins: []string{"https://a.example"}, MaxAge: aws.Int32(60)}}))
		if aws.ToString(upd.Description) != "d" || upd.CorsConfiguration == nil || aws.ToInt32(upd.CorsConfiguration.MaxAge) != 60 {
			t.Errorf("UpdateApi = %+v", upd)
		}

		it := must(c.CreateIntegration(bg, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeHttpProxy,
			IntegrationMethod: aws.String("ANY"), IntegrationUri: aws.String("http://127.0.0.1:1/x"), PayloadFormatVersion: aws.String("1.0")}))
		if aws.ToInt32(it.TimeoutInMillis) != 30000 || it.ConnectionType != types.ConnectionTypeInternet {
			t.Errorf("CreateIntegration = %+v", it)
		}
		route := must(c.CreateRoute(bg, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /pets/{id}"),
			Target: aws.String("integrations/" + aws.ToString(it.IntegrationId))}))
		if route.AuthorizationType != types.AuthorizationTypeNone {
			t.Errorf("CreateRoute authorization = %q; want NONE", route.AuthorizationType)
		}
		if _, err := c.CreateRoute(bg, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /pets/{id}")}); code(err) != "ConflictException" {
			t.Errorf("CreateRoute(duplicate) = %v; want ConflictException", err)
		}
		for _, bad := range []string{"FETCH /x", "GET x", "GET /{a+}/b"} {
			if _, err := c.CreateRoute(bg, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(bad)}); code(err) != "BadRequestException" {
				t.Errorf("CreateRoute(%q) = %v; want BadRequestException", bad, err)
			}
		}
		if _, err := c.CreateRoute(bg, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /a"), Target: aws.String("integrations/nope")}); code(err) != "BadRequestException" {
			t.Errorf("CreateRoute(bad target) = %v; want BadRequestException", err)
		}
		routes := must(c.GetRoutes(bg, &apigatewayv2.GetRoutesInput{ApiId: api.ApiId}))
		if len(routes.Items) != 1 || aws.ToString(routes.Items[0].RouteKey) != "GET /pets/{id}" {
			t.Errorf("GetRoutes = %+v", routes.Items)
		}
		must(c.UpdateRoute(bg, &apigatewayv2.UpdateRouteInput{ApiId: api.ApiId, RouteId: route.RouteId, RouteKey: aws.String("ANY /pets/{id}")}))
		if r := must(c.GetRoute(bg, &apigatewayv2.GetRouteInput{ApiId: api.ApiId, RouteId: route.RouteId})); aws.ToString(r.RouteKey) != "ANY /pets/{id}" {
			t.Errorf("GetRoute after update = %s", aws.ToString(r.RouteKey))
		}
		if _, err := c.DeleteIntegration(bg, &apigatewayv2.DeleteIntegrationInput{ApiId: api.ApiId, IntegrationId: it.IntegrationId}); code(err) != "ConflictException" {
			t.Errorf("DeleteIntegration(in use) = %v; want ConflictException", err)
		}

		auth := must(c.CreateAuthorizer(bg, &apigatewayv2.CreateAuthorizerInput{ApiId: api.ApiId, Name: aws.String("jwt"),
			AuthorizerType: types.AuthorizerTypeJwt, IdentitySource: []string{"$request.header.Authorization"},
			JwtConfiguration: &types.JWTConfiguration{Issuer: aws.String("https://issuer.example"), Audience: []string{"app"}}}))
		if _, err := c.CreateAuthorizer(bg, &apigatewayv2.CreateAuthorizerInput{ApiId: api.ApiId, Name: aws.String("bad"),
			AuthorizerType: types.AuthorizerTypeRequest, IdentitySource: []string{"$request.header.x"}, AuthorizerUri: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f")}); code(err) != "BadRequestException" {
			t.Errorf("CreateAuthorizer(REQUEST without payload version) = %v; want BadRequestException", err)
		}
		must(c.UpdateRoute(bg, &apigatewayv2.UpdateRouteInput{ApiId: api.ApiId, RouteId: route.RouteId, AuthorizationType: types.AuthorizationTypeJwt,
			AuthorizerId: auth.AuthorizerId, AuthorizationScopes: []string{"read"}}))
		if _, err := c.DeleteAuthorizer(bg, &apigatewayv2.DeleteAuthorizerInput{ApiId: api.ApiId, AuthorizerId: auth.AuthorizerId}); code(err) != "ConflictException" {
			t.Errorf("DeleteAuthorizer(in use) = %v; want ConflictException", err)
		}
		if as := must(c.GetAuthorizers(bg, &apigatewayv2.GetAuthorizersInput{ApiId: api.ApiId})); len(as.Items) != 1 {
			t.Errorf("GetAuthorizers = %d items; want 1", len(as.Items))
		}

		st := must(c.CreateStage(bg, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("prod"),
			StageVariables: map[string]string{"v": "1"}, DefaultRouteSettings: &types.RouteSettings{ThrottlingBurstLimit: aws.Int32(5), ThrottlingRateLimit: aws.Float64(10)}}))
		if st.AutoDeploy == nil || *st.AutoDeploy || aws.ToString(st.DeploymentId) != "" {
			t.Errorf("CreateStage = %+v; want no deployment yet", st)
		}
		dep := must(c.CreateDeployment(bg, &apigatewayv2.CreateDeploymentInput{ApiId: api.ApiId, StageName: aws.String("prod"), Description: aws.String("first")}))
		if dep.DeploymentStatus != types.DeploymentStatusDeployed {
			t.Errorf("CreateDeployment = %+v", dep)
		}
		if s := must(c.GetStage(bg, &apigatewayv2.GetStageInput{ApiId: api.ApiId, StageName: aws.String("prod")})); aws.ToString(s.DeploymentId) != aws.ToString(dep.DeploymentId) {
			t.Errorf("GetStage deployment = %s; want %s", aws.ToString(s.DeploymentId), aws.ToString(dep.DeploymentId))
		}
		if _, err := c.DeleteDeployment(bg, &apigatewayv2.DeleteDeploymentInput{ApiId: api.ApiId, DeploymentId: dep.DeploymentId}); code(err) != "BadRequestException" {
			t.Errorf("DeleteDeployment(active) = %v; want BadRequestException", err)
		}
		if ds := must(c.GetDeployments(bg, &apigatewayv2.GetDeploymentsInput{ApiId: api.ApiId})); len(ds.Items) != 1 {
			t.Errorf("GetDeployments = %d; want 1", len(ds.Items))
		}
		auto := must(c.CreateStage(bg, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}))
		if aws.ToString(auto.DeploymentId) == "" {
			t.Errorf("CreateStage(autoDeploy) has no deployment")
		}
		if _, err := c.CreateStage(bg, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("bad name")}); code(err) != "BadRequestException" {
			t.Errorf("CreateStage(bad name) = %v; want BadRequestException", err)
		}
		if ss := must(c.GetStages(bg, &apigatewayv2.GetStagesInput{ApiId: api.ApiId})); len(ss.Items) != 2 {
			t.Errorf("GetStages = %d; want 2", len(ss.Items))
		}

		arn := "arn:aws:apigateway:us-east-1::/apis/" + id
		must(c.TagResource(bg, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"env": "dev"}}))
		must(c.UntagResource(bg, &apigatewayv2.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}}))
		if tags := must(c.GetTags(bg, &apigatewayv2.GetTagsInput{ResourceArn: aws.String(arn)})); len(tags.Tags) != 1 || tags.Tags["env"] != "dev" {
			t.Errorf("GetTags = %v; want env=dev", tags.Tags)
		}

		must(c.CreateApi(bg, &apigatewayv2.CreateApiInput{Name: aws.String("second"), ProtocolType: types.ProtocolTypeHttp}))
		page1 := must(c.GetApis(bg, &apigatewayv2.GetApisInput{MaxResults: aws.String("1")}))
		page2 := must(c.GetApis(bg, &apigatewayv2.GetApisInput{MaxResults: aws.String("1"), NextToken: page1.NextToken}))
		if len(page1.Items) != 1 || page1.NextToken == nil || len(page2.Items) != 1 || page2.NextToken != nil {
			t.Errorf("GetApis pages = %d %v, %d %v; want 1 and 1, a token between", len(page1.Items), page1.NextToken, len(page2.Items), page2.NextToken)
		}

		if _, err := c.CreateApi(bg, &apigatewayv2.CreateApiInput{Name: aws.String("x"), ProtocolType: "SOAP"}); code(err) != "BadRequestException" {
			t.Errorf("CreateApi(SOAP) = %v; want BadRequestException", err)
		}
		must(c.DeleteApi(bg, &apigatewayv2.DeleteApiInput{ApiId: api.ApiId}))
		if _, err := c.GetApi(bg, &apigatewayv2.GetApiInput{ApiId: api.ApiId}); code(err) != "NotFoundException" {
			t.Errorf("GetApi(deleted) = %v; want NotFoundException", err)
		}
		if _, err := c.GetRoutes(bg, &apigatewayv2.GetRoutesInput{ApiId: api.ApiId}); code(err) != "NotFoundException" {
			t.Errorf("GetRoutes(deleted) = %v; want NotFoundException", err)
		}
	})
}

// TestWebSocketControlPlane: a WebSocket API needs a selection expression and keeps its routes'
// authorization to $connect.
func TestWebSocketControlPlane(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := apigatewayv2.NewFromConfig(srv.Config())
	if _, err := c.CreateApi(bg, &apigatewayv2.CreateApiInput{Name: aws.String("ws"), ProtocolType: types.ProtocolTypeWebsocket}); code(err) != "BadRequestException" {
		t.Errorf("CreateApi(WEBSOCKET without selection) = %v; want BadRequestException", err)
	}
	api := must(c.CreateApi(bg, &apigatewayv2.CreateApiInput{Name: aws.String("ws"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")}))
	if !strings.HasPrefix(aws.ToString(api.ApiEndpoint), "ws://") {
		t.Errorf("ApiEndpoint = %s; want ws://", aws.ToString(api.ApiEndpoint))
	}
	if _, err := c.CreateRoute(bg, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("send"), AuthorizationType: types.AuthorizationTypeAwsIam}); code(err) != "BadRequestException" {
		t.Errorf("CreateRoute(send, AWS_IAM) = %v; want BadRequestException", err)
	}
	must(c.CreateRoute(bg, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("$connect"), AuthorizationType: types.AuthorizationTypeAwsIam}))
	if _, err := c.CreateStage(bg, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("$default")}); code(err) != "BadRequestException" {
		t.Errorf("CreateStage($default) on a WebSocket API = %v; want BadRequestException", err)
	}
}

// TestDomainNames: custom domain names and their API mappings.
func TestDomainNames(t *testing.T) {
	each(t, func(t *testing.T, c *apigatewayv2.Client, srv *gureumtest.Server) {
		up := echo(t)
		apiID := httpAPI(t, c, map[string]string{"GET /orders/{id}": up.URL + "/o/{id}", "$default": up.URL + "/root"}, nil)
		api := must(c.GetApi(bg, &apigatewayv2.GetApiInput{ApiId: aws.String(apiID)}))
		d := must(c.CreateDomainName(bg, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("api.example.com")}))
		if len(d.DomainNameConfigurations) != 1 || d.DomainNameConfigurations[0].DomainNameStatus != types.DomainNameStatusAvailable {
			t.Errorf("CreateDomainName = %+v", d)
		}
		if _, err := c.CreateDomainName(bg, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("api.example.com")}); code(err) != "ConflictException" {
			t.Errorf("CreateDomainName(again) = %v; want ConflictException", err)
		}
		if _, err := c.CreateDomainName(bg, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("not a domain")}); code(err) != "BadRequestException" {
			t.Errorf("CreateDomainName(bad) = %v; want BadRequestException", err)
		}
		m := must(c.CreateApiMapping(bg, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.com"), ApiId: api.ApiId,
			Stage: aws.String("$default"), ApiMappingKey: aws.String("v1")}))
		if _, err := c.CreateApiMapping(bg, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.com"), ApiId: api.ApiId,
			Stage: aws.String("$default"), ApiMappingKey: aws.String("v1")}); code(err) != "ConflictException" {
			t.Errorf("CreateApiMapping(same key) = %v; want ConflictException", err)
		}
		if _, err := c.CreateApiMapping(bg, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.com"), ApiId: api.ApiId,
			Stage: aws.String("nope")}); code(err) != "BadRequestException" {
			t.Errorf("CreateApiMapping(no stage) = %v; want BadRequestException", err)
		}
		must(c.CreateApiMapping(bg, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.com"), ApiId: api.ApiId, Stage: aws.String("$default")}))
		through := func(path string) (int, string) {
			req, _ := http.NewRequest("GET", srv.Endpoint+"/_gureum/execute-api-domain/api.example.com"+path, nil)
			status, _, body := gureumtest.Do(t, req)
			return status, body
		}
		if status, body := through("/v1/orders/5"); status != 200 || decode(t, body)["path"] != "/o/5" {
			t.Errorf("GET /v1/orders/5 through the domain = %d %s; want the mapping's API without its key", status, body)
		}
		if status, body := through("/orders/5"); status != 200 || decode(t, body)["path"] != "/o/5" {
			t.Errorf("GET /orders/5 through the domain's root mapping = %d %s", status, body)
		}
		if status, _ := through("/v1x/orders/5"); status != 200 {
			t.Errorf("GET /v1x/orders/5 = %d; want the root mapping's $default route", status)
		}
		ms := must(c.GetApiMappings(bg, &apigatewayv2.GetApiMappingsInput{DomainName: aws.String("api.example.com")}))
		if len(ms.Items) != 2 {
			t.Errorf("GetApiMappings = %+v", ms.Items)
		}
		for _, tc := range []struct {
			name, want string
			in         apigatewayv2.UpdateApiMappingInput
		}{
			{"a key in use", "ConflictException", apigatewayv2.UpdateApiMappingInput{ApiMappingKey: aws.String("")}},
			{"no such stage", "BadRequestException", apigatewayv2.UpdateApiMappingInput{Stage: aws.String("nope")}},
			{"a bad key", "BadRequestException", apigatewayv2.UpdateApiMappingInput{ApiMappingKey: aws.String("a b")}},
			{"no such API", "NotFoundException", apigatewayv2.UpdateApiMappingInput{ApiId: aws.String("nope123456")}},
		} {
			in := tc.in
			in.DomainName, in.ApiMappingId = aws.String("api.example.com"), m.ApiMappingId
			if in.ApiId == nil {
				in.ApiId = api.ApiId
			}
			if _, err := c.UpdateApiMapping(bg, &in); code(err) != tc.want {
				t.Errorf("UpdateApiMapping(%s) = %v; want %s", tc.name, err, tc.want)
			}
		}
		if _, err := c.UpdateApiMapping(bg, &apigatewayv2.UpdateApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: aws.String("nope"),
			ApiId: api.ApiId}); code(err) != "NotFoundException" {
			t.Errorf("UpdateApiMapping(unknown mapping) = %v; want NotFoundException", err)
		}
		must(c.UpdateApiMapping(bg, &apigatewayv2.UpdateApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: m.ApiMappingId, ApiId: api.ApiId, ApiMappingKey: aws.String("v2")}))
		if status, body := through("/v2/orders/5"); status != 200 || decode(t, body)["path"] != "/o/5" {
			t.Errorf("GET /v2/orders/5 after UpdateApiMapping = %d %s; want the mapping's API without its new key", status, body)
		}

		cert := "arn:aws:acm:us-east-1:000000000000:certificate/new"
		u := must(c.UpdateDomainName(bg, &apigatewayv2.UpdateDomainNameInput{DomainName: aws.String("api.example.com"),
			DomainNameConfigurations: []types.DomainNameConfiguration{{CertificateArn: aws.String(cert), SecurityPolicy: types.SecurityPolicyTls10}}}))
		if len(u.DomainNameConfigurations) != 1 || aws.ToString(u.DomainNameConfigurations[0].CertificateArn) != cert ||
			u.DomainNameConfigurations[0].SecurityPolicy != types.SecurityPolicyTls10 ||
			aws.ToString(u.DomainNameConfigurations[0].ApiGatewayDomainName) != aws.ToString(d.DomainNameConfigurations[0].ApiGatewayDomainName) {
			t.Errorf("UpdateDomainName = %+v; want the new certificate and policy at the same target", u.DomainNameConfigurations)
		}
		if _, err := c.UpdateDomainName(bg, &apigatewayv2.UpdateDomainNameInput{DomainName: aws.String("api.example.com"),
			DomainNameConfigurations: []types.DomainNameConfiguration{{CertificateArn: aws.String("arn:aws:acm:us-east-1:111111111111:certificate/x")}}}); code(err) != "BadRequestException" {
			t.Errorf("UpdateDomainName(another account's certificate) = %v; want BadRequestException", err)
		}
		if _, err := c.UpdateDomainName(bg, &apigatewayv2.UpdateDomainNameInput{DomainName: aws.String("nosuch.example.com")}); code(err) != "NotFoundException" {
			t.Errorf("UpdateDomainName(unknown) = %v; want NotFoundException", err)
		}
		if got := must(c.GetApiMapping(bg, &apigatewayv2.GetApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: m.ApiMappingId})); aws.ToString(got.ApiMappingKey) != "v2" {
			t.Errorf("GetApiMapping = %s; want v2", aws.ToString(got.ApiMappingKey))
		}
		if status, _ := (func() (int, string) {
			req, _ := http.NewRequest("GET", srv.Endpoint+"/_gureum/execute-api-domain/nosuch.example.com/x", nil)
			s, _, b := gureumtest.Do(t, req)
			return s, b
		})(); status != 403 {
			t.Errorf("GET through an unknown domain = %d; want 403", status)
		}
		if ds := must(c.GetDomainNames(bg, &apigatewayv2.GetDomainNamesInput{})); len(ds.Items) != 1 {
			t.Errorf("GetDomainNames = %d; want 1", len(ds.Items))
		}
		must(c.DeleteApiMapping(bg, &apigatewayv2.DeleteApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: m.ApiMappingId}))
		must(c.DeleteDomainName(bg, &apigatewayv2.DeleteDomainNameInput{DomainName: aws.String("api.example.com")}))
		if _, err := c.GetDomainName(bg, &apigatewayv2.GetDomainNameInput{DomainName: aws.String("api.example.com")}); code(err) != "NotFoundException" {
			t.Errorf("GetDomainName(deleted) = %v; want NotFoundException", err)
		}
	})
}
