package apigateway_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gureum/gureum/internal/gureumtest"
)

func replaceOp(path, value string) types.PatchOperation {
	return types.PatchOperation{Op: types.OpReplace, Path: aws.String(path), Value: aws.String(value)}
}

// TestUpdateOperations: UpdateAuthorizer, UpdateGatewayResponse, UpdateMethodResponse and UpdateAccount apply
// AWS's patch operations, and refuse what CreateAuthorizer and PutGatewayResponse refuse.
func TestUpdateOperations(t *testing.T) {
	each(t, func(t *testing.T, c *apigateway.Client, srv *gureumtest.Server) {
		api := must(c.CreateRestApi(bg, &apigateway.CreateRestApiInput{Name: aws.String("updates")}))
		uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"
		a := must(c.CreateAuthorizer(bg, &apigateway.CreateAuthorizerInput{RestApiId: api.Id, Name: aws.String("tok"), Type: types.AuthorizerTypeToken,
			AuthorizerUri: aws.String(uri)}))
		got := must(c.UpdateAuthorizer(bg, &apigateway.UpdateAuthorizerInput{RestApiId: api.Id, AuthorizerId: a.Id, PatchOperations: []types.PatchOperation{
			replaceOp("/name", "token2"), replaceOp("/authorizerResultTtlInSeconds", "60"), replaceOp("/identitySource", "method.request.header.X-Token")}}))
		if aws.ToString(got.Name) != "token2" || aws.ToInt32(got.AuthorizerResultTtlInSeconds) != 60 || aws.ToString(got.IdentitySource) != "method.request.header.X-Token" {
			t.Errorf("UpdateAuthorizer = %+v", got)
		}
		for _, tc := range []struct {
			name, want string
			id         *string
			op         types.PatchOperation
		}{
			{"a TTL past 3600", "BadRequestException", a.Id, replaceOp("/authorizerResultTtlInSeconds", "3601")},
			{"a bad URI", "BadRequestException", a.Id, replaceOp("/authorizerUri", "arn:aws:lambda:us-east-1:000000000000:function:auth")},
			{"an unknown path", "BadRequestException", a.Id, replaceOp("/id", "x")},
			{"an unknown authorizer", "NotFoundException", aws.String("nope"), replaceOp("/name", "x")},
		} {
			if _, err := c.UpdateAuthorizer(bg, &apigateway.UpdateAuthorizerInput{RestApiId: api.Id, AuthorizerId: tc.id,
				PatchOperations: []types.PatchOperation{tc.op}}); code(err) != tc.want {
				t.Errorf("UpdateAuthorizer(%s) = %v; want %s", tc.name, err, tc.want)
			}
		}
		if g := must(c.GetAuthorizer(bg, &apigateway.GetAuthorizerInput{RestApiId: api.Id, AuthorizerId: a.Id})); aws.ToInt32(g.AuthorizerResultTtlInSeconds) != 60 {
			t.Errorf("GetAuthorizer after a refused update = %+v; want it unchanged", g)
		}

		gr := must(c.UpdateGatewayResponse(bg, &apigateway.UpdateGatewayResponseInput{RestApiId: api.Id, ResponseType: types.GatewayResponseTypeQuotaExceeded,
			PatchOperations: []types.PatchOperation{replaceOp("/statusCode", "403"),
				{Op: types.OpAdd, Path: aws.String("/responseTemplates/application~1json"), Value: aws.String(`{"msg":"over"}`)}}}))
		if aws.ToString(gr.StatusCode) != "403" || gr.ResponseTemplates["application/json"] != `{"msg":"over"}` || gr.DefaultResponse {
			t.Errorf("UpdateGatewayResponse = %+v", gr)
		}
		if _, err := c.UpdateGatewayResponse(bg, &apigateway.UpdateGatewayResponseInput{RestApiId: api.Id, ResponseType: types.GatewayResponseTypeThrottled,
			PatchOperations: []types.PatchOperation{replaceOp("/statusCode", "99")}}); code(err) != "BadRequestException" {
			t.Errorf("UpdateGatewayResponse(status 99) = %v; want BadRequestException", err)
		}

		logRole := "arn:aws:iam::000000000000:role/apigw-logs"
		acct := must(c.UpdateAccount(bg, &apigateway.UpdateAccountInput{PatchOperations: []types.PatchOperation{replaceOp("/cloudwatchRoleArn", logRole)}}))
		if aws.ToString(acct.CloudwatchRoleArn) != logRole || acct.ThrottleSettings == nil || acct.ThrottleSettings.RateLimit != 10000 {
			t.Errorf("UpdateAccount = %+v", acct)
		}
		if g := must(c.GetAccount(bg, &apigateway.GetAccountInput{})); aws.ToString(g.CloudwatchRoleArn) != logRole {
			t.Errorf("GetAccount = %+v; want the role set", g)
		}
		for _, op := range []types.PatchOperation{replaceOp("/throttle/rateLimit", "5"), replaceOp("/cloudwatchRoleArn", "not-an-arn")} {
			if _, err := c.UpdateAccount(bg, &apigateway.UpdateAccountInput{PatchOperations: []types.PatchOperation{op}}); code(err) != "BadRequestException" {
				t.Errorf("UpdateAccount(%s %s) = %v; want BadRequestException", aws.ToString(op.Path), aws.ToString(op.Value), err)
			}
		}

		get := aws.String("GET")
		must(c.PutMethod(bg, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get, AuthorizationType: aws.String("NONE")}))
		must(c.PutMethodResponse(bg, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get, StatusCode: aws.String("200")}))
		mr := must(c.UpdateMethodResponse(bg, &apigateway.UpdateMethodResponseInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get,
			StatusCode: aws.String("200"), PatchOperations: []types.PatchOperation{
				{Op: types.OpAdd, Path: aws.String("/responseParameters/method.response.header.X-Trace"), Value: aws.String("true")},
				{Op: types.OpAdd, Path: aws.String("/responseModels/application~1json"), Value: aws.String("Empty")}}}))
		if !mr.ResponseParameters["method.response.header.X-Trace"] || mr.ResponseModels["application/json"] != "Empty" {
			t.Errorf("UpdateMethodResponse = %+v", mr)
		}
		if _, err := c.UpdateMethodResponse(bg, &apigateway.UpdateMethodResponseInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get,
			StatusCode: aws.String("404"), PatchOperations: []types.PatchOperation{replaceOp("/responseModels/application~1json", "Empty")}}); code(err) != "NotFoundException" {
			t.Errorf("UpdateMethodResponse(undeclared status) = %v; want NotFoundException", err)
		}
	})
}

// TestUpdatePassRole: a role set by a patch operation (an authorizer's or an integration's
// credentials, the account's CloudWatch role) is passed as at creation: iam:PassRole on it, or AccessDenied.
func TestUpdatePassRole(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := apigateway.NewFromConfig(srv.Config())
	api := must(c.CreateRestApi(bg, &apigateway.CreateRestApiInput{Name: aws.String("roles")}))
	uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"
	a := must(c.CreateAuthorizer(bg, &apigateway.CreateAuthorizerInput{RestApiId: api.Id, Name: aws.String("tok"), Type: types.AuthorizerTypeToken,
		AuthorizerUri: aws.String(uri)}))
	get := aws.String("GET")
	must(c.PutMethod(bg, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get, AuthorizationType: aws.String("NONE")}))
	must(c.PutIntegration(bg, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get, Type: types.IntegrationTypeMock}))

	ic := iam.NewFromConfig(srv.Config())
	must(ic.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("dev")}))
	must(ic.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("apigw"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"apigateway:*","Resource":"*"}]}`)}))
	key := must(ic.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("dev")})).AccessKey
	cfg := srv.Config()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(*key.AccessKeyId, *key.SecretAccessKey, "")
	dev := apigateway.NewFromConfig(cfg)
	role := "arn:aws:iam::000000000000:role/gateway"
	if _, err := dev.UpdateAuthorizer(bg, &apigateway.UpdateAuthorizerInput{RestApiId: api.Id, AuthorizerId: a.Id,
		PatchOperations: []types.PatchOperation{replaceOp("/authorizerCredentials", role)}}); code(err) != "AccessDeniedException" {
		t.Errorf("UpdateAuthorizer(credentials) without iam:PassRole = %v; want AccessDeniedException", err)
	}
	if _, err := dev.UpdateIntegration(bg, &apigateway.UpdateIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get,
		PatchOperations: []types.PatchOperation{replaceOp("/credentials", role)}}); code(err) != "AccessDeniedException" {
		t.Errorf("UpdateIntegration(credentials) without iam:PassRole = %v; want AccessDeniedException", err)
	}
	if _, err := dev.UpdateAccount(bg, &apigateway.UpdateAccountInput{PatchOperations: []types.PatchOperation{replaceOp("/cloudwatchRoleArn", role)}}); code(err) != "AccessDeniedException" {
		t.Errorf("UpdateAccount(cloudwatchRoleArn) without iam:PassRole = %v; want AccessDeniedException", err)
	}
	if _, err := dev.UpdateAuthorizer(bg, &apigateway.UpdateAuthorizerInput{RestApiId: api.Id, AuthorizerId: a.Id,
		PatchOperations: []types.PatchOperation{replaceOp("/name", "renamed")}}); err != nil {
		t.Errorf("UpdateAuthorizer(name) = %v; want it allowed", err)
	}
	must(ic.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("pass"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"` + role + `"}]}`)}))
	if _, err := dev.UpdateAuthorizer(bg, &apigateway.UpdateAuthorizerInput{RestApiId: api.Id, AuthorizerId: a.Id,
		PatchOperations: []types.PatchOperation{replaceOp("/authorizerCredentials", role)}}); err != nil {
		t.Errorf("UpdateAuthorizer(credentials) with iam:PassRole = %v; want it allowed", err)
	}
}
