package cloudformation_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// httpAPIs is an HTTP API made part by part (integration, routes, a JWT authorizer, the
// $default stage, a domain name and its mapping) and one imported from an OpenAPI Body.
const httpAPIs = `
Parameters:
  Upstream:
    Type: String
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: parts
      ProtocolType: HTTP
      Tags: {team: web}
  Backend:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: HTTP_PROXY
      IntegrationMethod: GET
      IntegrationUri: !Ref Upstream
      PayloadFormatVersion: "1.0"
      TimeoutInMillis: "5000"
  Hello:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: GET /hello
      Target: !Sub integrations/${Backend}
  Jwt:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Api
      Name: jwt
      AuthorizerType: JWT
      IdentitySource: [$request.header.Authorization]
      JwtConfiguration:
        Issuer: https://issuer.example.com
        Audience: [app]
  Private:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: GET /private
      AuthorizationType: JWT
      AuthorizerId: !Ref Jwt
      AuthorizationScopes: [read]
      Target: !Sub integrations/${Backend}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Api
      StageName: $default
      AutoDeploy: true
      StageVariables: {Mode: test}
      DefaultRouteSettings:
        ThrottlingBurstLimit: 50
        ThrottlingRateLimit: 100
  Domain:
    Type: AWS::ApiGatewayV2::DomainName
    Properties:
      DomainName: api.example.com
      DomainNameConfigurations: [{EndpointType: REGIONAL}]
  Mapping:
    Type: AWS::ApiGatewayV2::ApiMapping
    DependsOn: Stage
    Properties:
      ApiId: !Ref Api
      DomainName: !Ref Domain
      Stage: $default
      ApiMappingKey: v1
  Imported:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: imported
      Body:
        openapi: "3.0.1"
        info: {title: from-body, version: "1"}
        paths:
          /pets:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: !Ref Upstream
                payloadFormatVersion: "1.0"
Outputs:
  Api:
    Value: !Ref Api
  Endpoint:
    Value: !GetAtt Api.ApiEndpoint
  Private:
    Value: !Ref Private
  Jwt:
    Value: !GetAtt Jwt.AuthorizerId
  Imported:
    Value: !Ref Imported
  Regional:
    Value: !GetAtt Domain.RegionalDomainName
`

// TestHTTPAPIResources deploys httpAPIs and calls the API, checks the parts through the
// service, and deletes the stack.
func TestHTTPAPIResources(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "up:"+r.URL.Path) }))
	defer up.Close()
	each(t, func(t *testing.T, c clients) {
		if _, err := c.cfn.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String("http"), TemplateBody: aws.String(httpAPIs),
			Parameters: []cfntypes.Parameter{param("Upstream", up.URL)}}); err != nil {
			t.Fatal(err)
		}
		st := stack(t, c, "http")
		if st.StackStatus != cfntypes.StackStatusCreateComplete {
			failures(t, c, "http")
			t.Fatalf("status = %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		o := outputs(st)
		if o["Endpoint"] == "" || o["Regional"] == "" {
			t.Errorf("outputs = %v; want the API's endpoint and the domain's regional name", o)
		}
		if code, body := get(t, c.srv.Endpoint+"/_gureum/execute-api-v2/"+o["Api"]+"/hello"); code != 200 || body != "up:/" {
			t.Errorf("GET /hello = %d %s; want the upstream's answer", code, body)
		}
		if code, _ := get(t, c.srv.Endpoint+"/_gureum/execute-api-v2/"+o["Api"]+"/private"); code != 401 {
			t.Errorf("GET /private without a token = %d; want 401", code)
		}
		gw := apigatewayv2.NewFromConfig(c.srv.Config())
		route, err := gw.GetRoute(bg, &apigatewayv2.GetRouteInput{ApiId: aws.String(o["Api"]), RouteId: aws.String(o["Private"])})
		if err != nil || aws.ToString(route.AuthorizerId) != o["Jwt"] || len(route.AuthorizationScopes) != 1 {
			t.Errorf("GetRoute = %+v, %v", route, err)
		}
		stage, err := gw.GetStage(bg, &apigatewayv2.GetStageInput{ApiId: aws.String(o["Api"]), StageName: aws.String("$default")})
		if err != nil || stage.StageVariables["Mode"] != "test" || aws.ToInt32(stage.DefaultRouteSettings.ThrottlingBurstLimit) != 50 {
			t.Errorf("GetStage = %+v, %v", stage, err)
		}
		api, err := gw.GetApi(bg, &apigatewayv2.GetApiInput{ApiId: aws.String(o["Api"])})
		if err != nil || api.Tags["team"] != "web" {
			t.Errorf("GetApi = %+v, %v; want its tags", api, err)
		}
		maps, err := gw.GetApiMappings(bg, &apigatewayv2.GetApiMappingsInput{DomainName: aws.String("api.example.com")})
		if err != nil || len(maps.Items) != 1 || aws.ToString(maps.Items[0].ApiMappingKey) != "v1" {
			t.Errorf("GetApiMappings = %+v, %v", maps, err)
		}
		imported, err := gw.GetApi(bg, &apigatewayv2.GetApiInput{ApiId: aws.String(o["Imported"])})
		if err != nil || aws.ToString(imported.Name) != "imported" {
			t.Errorf("imported API = %+v, %v; want the Name property over the title", imported, err)
		}
		routes, err := gw.GetRoutes(bg, &apigatewayv2.GetRoutesInput{ApiId: aws.String(o["Imported"])})
		if err != nil || len(routes.Items) != 1 || aws.ToString(routes.Items[0].RouteKey) != "GET /pets" {
			t.Errorf("imported routes = %+v, %v", routes, err)
		}
		if _, err := c.cfn.DeleteStack(bg, &cloudformation.DeleteStackInput{StackName: aws.String("http")}); err != nil {
			t.Fatal(err)
		}
		if st := stack(t, c, *st.StackId); st.StackStatus != cfntypes.StackStatusDeleteComplete {
			failures(t, c, *st.StackId)
			t.Errorf("after delete: %s", st.StackStatus)
		}
		if _, err := gw.GetApi(bg, &apigatewayv2.GetApiInput{ApiId: aws.String(o["Api"])}); err == nil {
			t.Error("the API outlived its stack")
		}
	})
}
