package apigateway_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gureum/gureum/internal/gureumtest"
)

const vpce = "vpce-0a1b2c3d4e5f60718"

// privateEndpoint is the server's private listener, from the line it printed at start.
func privateEndpoint(t *testing.T, srv *gureumtest.Server) string {
	t.Helper()
	for _, line := range strings.Split(srv.Stdout.String(), "\n") {
		if _, ep, ok := strings.Cut(line, "private endpoint ("+vpce+") on "); ok {
			return strings.TrimSpace(ep)
		}
	}
	t.Fatalf("no private endpoint line in %q", srv.Stdout.String())
	return ""
}

// invokeAt calls a deployed API's stage path through base (the public or the private listener).
func invokeAt(t *testing.T, base, apiID, stagePath string, sign func(*http.Request)) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/_gureum/execute-api/"+apiID+"/"+stagePath, nil)
	if sign != nil {
		sign(req)
	}
	return gureumtest.Do(t, req)
}

// mockMethod adds GET /status (MOCK) with an authorization type to an API and deploys it to prod.
func mockMethod(t *testing.T, c *apigateway.Client, api *apigateway.CreateRestApiOutput, auth string) error {
	t.Helper()
	res := must(c.CreateResource(bg, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("status")}))
	must(c.PutMethod(bg, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String(auth)}))
	must(c.PutIntegration(bg, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}))
	must(c.PutMethodResponse(bg, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")}))
	must(c.PutIntegrationResponse(bg, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `{"caller":"$context.identity.userArn"}`}}))
	_, err := c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")})
	return err
}

func vpcePolicy(effect, cond, id string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"` + effect + `","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*",` +
		`"Condition":{"` + cond + `":{"aws:SourceVpce":"` + id + `"}}}]}`
}

// TestPrivateAPI: a PRIVATE API needs a resource policy to deploy, answers 403 Forbidden on the
// public listener, and on the private listener answers as its policy's aws:SourceVpce condition says.
func TestPrivateAPI(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn", "--private-listen", "127.0.0.1:0", "--vpc-endpoint-id", vpce}})
	c := apigateway.NewFromConfig(srv.Config())
	private := privateEndpoint(t, srv)
	api := must(c.CreateRestApi(bg, &apigateway.CreateRestApiInput{Name: aws.String("inside"),
		EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypePrivate}}}))
	if err := mockMethod(t, c, api, "NONE"); code(err) != "BadRequestException" {
		t.Fatalf("CreateDeployment of a PRIVATE API without a policy = %v; want BadRequestException", err)
	}
	if _, err := c.UpdateRestApi(bg, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/policy"), Value: aws.String(`{"Statement":"nonsense"}`)}}}); code(err) != "BadRequestException" {
		t.Fatalf("UpdateRestApi(bad policy) = %v; want BadRequestException", err)
	}
	must(c.UpdateRestApi(bg, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/policy"), Value: aws.String(vpcePolicy("Allow", "StringEquals", vpce))}}}))
	got := must(c.GetRestApi(bg, &apigateway.GetRestApiInput{RestApiId: api.Id}))
	if want := `"arn:aws:execute-api:us-east-1:000000000000:` + *api.Id + `/*"`; !strings.Contains(aws.ToString(got.Policy), want) {
		t.Fatalf("policy = %s; want the shorthand expanded to %s", aws.ToString(got.Policy), want)
	}
	must(c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}))

	if st, _, body := invokeAt(t, srv.Endpoint, *api.Id, "prod/status", nil); st != 403 || body != `{"message":"Forbidden"}` {
		t.Fatalf("public listener: %d %s; want 403 Forbidden", st, body)
	}
	if st, _, body := invokeAt(t, private, *api.Id, "prod/status", nil); st != 200 {
		t.Fatalf("private listener: %d %s; want 200", st, body)
	}
	// A policy for another endpoint, deployed, shuts this one out.
	must(c.UpdateRestApi(bg, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/policy"), Value: aws.String(vpcePolicy("Allow", "StringEquals", "vpce-0ffffffffffffffff"))}}}))
	must(c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}))
	st, h, body := invokeAt(t, private, *api.Id, "prod/status", nil)
	want := `{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:` + *api.Id + `/prod/GET/status"}`
	if st != 403 || body != want || h.Get("x-amzn-ErrorType") != "AccessDeniedException" {
		t.Fatalf("other endpoint's policy: %d %s %s; want 403 %s", st, h.Get("x-amzn-ErrorType"), body, want)
	}
	// An explicit deny says so.
	must(c.UpdateRestApi(bg, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/policy"), Value: aws.String(vpcePolicy("Deny", "StringEquals", vpce))}}}))
	must(c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}))
	if _, _, body := invokeAt(t, private, *api.Id, "prod/status", nil); !strings.HasSuffix(body, `/prod/GET/status with an explicit deny"}`) {
		t.Fatalf("deny policy: %s; want an explicit deny", body)
	}
}

// signer signs invoke requests for execute-api with a key pair.
func signer(t *testing.T, keyID, secret string) func(*http.Request) {
	return func(r *http.Request) {
		sum := sha256.Sum256(nil)
		creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(bg, creds, r, hex.EncodeToString(sum[:]), "execute-api", gureumtest.Region, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestIAMInvoke: an AWS_IAM method takes only requests signed for execute-api, checked by the
// server's one verifier, from callers whose policies grant execute-api:Invoke on the method.
func TestIAMInvoke(t *testing.T) {
	each(t, func(t *testing.T, c *apigateway.Client, srv *gureumtest.Server) {
		api := must(c.CreateRestApi(bg, &apigateway.CreateRestApiInput{Name: aws.String("iam"),
			EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypeRegional}}}))
		if err := mockMethod(t, c, api, "AWS_IAM"); err != nil {
			t.Fatal(err)
		}
		id := *api.Id
		root := signer(t, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
		cases := []struct {
			name   string
			sign   func(*http.Request)
			status int
			etype  string
			body   string
		}{
			{"unsigned", nil, 403, "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`},
			{"root", root, 200, "", `{"caller":"arn:aws:iam::000000000000:root"}`},
			{"wrong secret", signer(t, gureumtest.AccessKeyID, "not-the-secret"), 403, "InvalidSignatureException",
				`{"message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}`},
			{"unknown key", signer(t, "AKIAUNKNOWNUNKNOWN00", "x"), 403, "UnrecognizedClientException", `{"message":"The security token included in the request is invalid."}`},
			{"tampered", func(r *http.Request) { root(r); r.URL.RawQuery = "extra=1" }, 403, "InvalidSignatureException", ""},
			{"signed for another service", func(r *http.Request) {
				sum := sha256.Sum256(nil)
				v4.NewSigner().SignHTTP(bg, aws.Credentials{AccessKeyID: gureumtest.AccessKeyID, SecretAccessKey: gureumtest.SecretAccessKey}, r,
					hex.EncodeToString(sum[:]), "sqs", gureumtest.Region, time.Now())
			}, 403, "", ""},
		}
		for _, tc := range cases {
			st, h, body := invokeAt(t, srv.Endpoint, id, "prod/status", tc.sign)
			if st != tc.status || tc.etype != "" && h.Get("x-amzn-ErrorType") != tc.etype || tc.body != "" && body != tc.body {
				t.Errorf("%s: %d %s %s; want %d %s %s", tc.name, st, h.Get("x-amzn-ErrorType"), body, tc.status, tc.etype, tc.body)
			}
		}

		// A user without a policy is denied; granted execute-api:Invoke on the method, allowed.
		ic := iam.NewFromConfig(srv.Config())
		must(ic.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("bob")}))
		key := must(ic.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})).AccessKey
		bob := signer(t, *key.AccessKeyId, *key.SecretAccessKey)
		arn := "arn:aws:execute-api:us-east-1:000000000000:" + id + "/prod/GET/status"
		st, h, body := invokeAt(t, srv.Endpoint, id, "prod/status", bob)
		if want := `{"Message":"User: arn:aws:iam::000000000000:user/bob is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:` + id + `/prod/GET/status"}`; st != 403 || body != want || h.Get("x-amzn-ErrorType") != "AccessDeniedException" {
			t.Fatalf("bob without a policy: %d %s; want 403 %s", st, body, want)
		}
		doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": arn}}})
		must(ic.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("invoke"), PolicyDocument: aws.String(string(doc))}))
		if st, _, body := invokeAt(t, srv.Endpoint, id, "prod/status", bob); st != 200 || body != `{"caller":"arn:aws:iam::000000000000:user/bob"}` {
			t.Fatalf("bob with a policy: %d %s; want 200", st, body)
		}
		// A resource policy's explicit deny wins over the grant.
		deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"},` +
			`{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::000000000000:user/bob"},"Action":"execute-api:Invoke","Resource":"execute-api:/prod/GET/status"}]}`
		must(c.UpdateRestApi(bg, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []types.PatchOperation{
			{Op: types.OpReplace, Path: aws.String("/policy"), Value: aws.String(deny)}}}))
		must(c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}))
		if st, _, body := invokeAt(t, srv.Endpoint, id, "prod/status", bob); st != 403 || !strings.HasSuffix(body, "with an explicit deny\"}") {
			t.Fatalf("bob denied by the resource policy: %d %s; want 403 with an explicit deny", st, body)
		}
		if st, _, _ := invokeAt(t, srv.Endpoint, id, "prod/status", root); st != 200 {
			t.Fatalf("root under the resource policy: %d; want 200", st)
		}
		// A signed body must match its hash.
		req, _ := http.NewRequest("GET", srv.Endpoint+"/_gureum/execute-api/"+id+"/prod/status", bytes.NewReader([]byte("x")))
		root(req)
		if st, _, _ := gureumtest.Do(t, req); st != 403 {
			t.Fatalf("body not covered by the signature: %d; want 403", st)
		}
	})
}
