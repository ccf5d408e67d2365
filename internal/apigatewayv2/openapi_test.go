package apigatewayv2_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

const petstore = `openapi: "3.0.1"
info:
  title: petstore
  version: "1.0"
paths:
  /pets/{id}:
    get:
      operationId: getPet
      security:
        - jwt: [read]
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: UPSTREAM/pets/{id}
        payloadFormatVersion: "1.0"
  $default:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: ANY
        uri: UPSTREAM/fallback
        payloadFormatVersion: "1.0"
components:
  securitySchemes:
    jwt:
      type: oauth2
      x-amazon-apigateway-authorizer:
        type: jwt
        identitySource: $request.header.Authorization
        jwtConfiguration:
          issuer: https://issuer.example
          audience: [app]
`

// TestOpenAPI imports an HTTP API from OpenAPI 3 (YAML) with its integrations and JWT
// authorizer, serves it, exports it (JSON and YAML) and reimports a smaller definition.
func TestOpenAPI(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := apigatewayv2.NewFromConfig(srv.Config())
	up := echo(t)
	api := must(c.ImportApi(bg, &apigatewayv2.ImportApiInput{Body: aws.String(strings.ReplaceAll(petstore, "UPSTREAM", up.URL))}))
	if aws.ToString(api.Name) != "petstore" || api.ProtocolType != types.ProtocolTypeHttp {
		t.Errorf("ImportApi = %+v", api)
	}
	routes := must(c.GetRoutes(bg, &apigatewayv2.GetRoutesInput{ApiId: api.ApiId}))
	keys := map[string]types.Route{}
	for _, r := range routes.Items {
		keys[aws.ToString(r.RouteKey)] = r
	}
	if r, ok := keys["GET /pets/{id}"]; !ok || r.AuthorizationType != types.AuthorizationTypeJwt || len(r.AuthorizationScopes) != 1 || aws.ToString(r.OperationName) != "getPet" {
		t.Errorf("imported routes = %+v", keys)
	}
	if _, ok := keys["$default"]; !ok || len(keys) != 2 {
		t.Errorf("imported routes = %v; want GET /pets/{id} and $default", keys)
	}
	must(c.CreateStage(bg, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}))
	if status, _, body := get(t, srv, "GET", aws.ToString(api.ApiId), "/other", nil, ""); status != 200 || decode(t, body)["path"] != "/fallback" {
		t.Errorf("GET /other = %d %s", status, body)
	}
	if status, _, _ := get(t, srv, "GET", aws.ToString(api.ApiId), "/pets/1", nil, ""); status != 401 {
		t.Errorf("GET /pets/1 without a token = %d; want 401", status)
	}

	out := must(c.ExportApi(bg, &apigatewayv2.ExportApiInput{ApiId: api.ApiId, Specification: aws.String("OAS30"), OutputType: aws.String("JSON")}))
	var exported map[string]any
	if err := json.Unmarshal(out.Body, &exported); err != nil {
		t.Fatalf("ExportApi JSON = %s: %v", out.Body, err)
	}
	paths := exported["paths"].(map[string]any)
	op, _ := paths["/pets/{id}"].(map[string]any)["get"].(map[string]any)
	if exported["openapi"] != "3.0.1" || op == nil || op["x-amazon-apigateway-integration"].(map[string]any)["type"] != "http_proxy" {
		t.Errorf("ExportApi = %s", out.Body)
	}
	yamlOut := must(c.ExportApi(bg, &apigatewayv2.ExportApiInput{ApiId: api.ApiId, Specification: aws.String("OAS30"), OutputType: aws.String("YAML")}))
	if !strings.Contains(string(yamlOut.Body), "openapi: 3.0.1") {
		t.Errorf("ExportApi YAML = %s", yamlOut.Body)
	}
	// What was exported imports again.
	again := must(c.ImportApi(bg, &apigatewayv2.ImportApiInput{Body: aws.String(string(yamlOut.Body))}))
	if rs := must(c.GetRoutes(bg, &apigatewayv2.GetRoutesInput{ApiId: again.ApiId})); len(rs.Items) != 2 {
		t.Errorf("reimported export has %d routes; want 2", len(rs.Items))
	}

	small := `{"openapi":"3.0.1","info":{"title":"small"},"paths":{"/only":{"post":{"x-amazon-apigateway-integration":{"type":"http_proxy","httpMethod":"POST","uri":"` + up.URL + `/only","payloadFormatVersion":"1.0"}}}}}`
	must(c.ReimportApi(bg, &apigatewayv2.ReimportApiInput{ApiId: api.ApiId, Body: aws.String(small)}))
	if rs := must(c.GetRoutes(bg, &apigatewayv2.GetRoutesInput{ApiId: api.ApiId})); len(rs.Items) != 1 || aws.ToString(rs.Items[0].RouteKey) != "POST /only" {
		t.Errorf("routes after ReimportApi = %+v", rs.Items)
	}
	if status, _, body := get(t, srv, "POST", aws.ToString(api.ApiId), "/only", nil, ""); status != 200 || decode(t, body)["path"] != "/only" {
		t.Errorf("POST /only after reimport = %d %s", status, body)
	}
	for _, bad := range []string{"not: [yaml", `{"swagger":"2.0","info":{"title":"x"}}`, `{"openapi":"3.0.1","info":{"title":"x"},"paths":{"/a":{"get":{"x-amazon-apigateway-integration":{"type":"mock"}}}}}`} {
		if _, err := c.ImportApi(bg, &apigatewayv2.ImportApiInput{Body: aws.String(bad)}); code(err) != "BadRequestException" {
			t.Errorf("ImportApi(%q) = %v; want BadRequestException", bad, err)
		}
	}
}
