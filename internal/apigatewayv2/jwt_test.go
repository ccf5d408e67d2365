package apigatewayv2_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/gureum/gureum/internal/gureumtest"
)

// issuer is a test OpenID issuer: its discovery document and its JWKS, with one RSA key.
type issuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newIssuer(t testing.TB) *issuer {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &issuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/jwks"})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		b64 := base64.RawURLEncoding
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
			"n": b64.EncodeToString(key.N.Bytes()), "e": b64.EncodeToString(big.NewInt(int64(key.E)).Bytes())}}})
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

// token signs claims with the issuer's key (kid k1), or with another key when forged.
func (is *issuer) token(t testing.TB, claims jwt.MapClaims, forged bool) string {
	key := is.key
	if forged {
		key, _ = rsa.GenerateKey(rand.Reader, 2048)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestJWTAuthorizer: a JWT authorizer checks the token's signature against the issuer's JWKS,
// its issuer, audience, expiry and the route's scopes; the claims reach the integration.
func TestJWTAuthorizer(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := apigatewayv2.NewFromConfig(srv.Config())
	is := newIssuer(t)
	up := echoHeaders(t)
	id := httpAPI(t, c, map[string]string{"GET /open": up.URL}, nil)
	auth := must(c.CreateAuthorizer(bg, &apigatewayv2.CreateAuthorizerInput{ApiId: aws.String(id), Name: aws.String("jwt"), AuthorizerType: types.AuthorizerTypeJwt,
		IdentitySource: []string{"$request.header.Authorization"}, JwtConfiguration: &types.JWTConfiguration{Issuer: aws.String(is.srv.URL), Audience: []string{"my-app"}}}))
	it := must(c.CreateIntegration(bg, &apigatewayv2.CreateIntegrationInput{ApiId: aws.String(id), IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String("ANY"), IntegrationUri: aws.String(up.URL), PayloadFormatVersion: aws.String("1.0")}))
	must(c.CreateRoute(bg, &apigatewayv2.CreateRouteInput{ApiId: aws.String(id), RouteKey: aws.String("GET /secure"), AuthorizationType: types.AuthorizationTypeJwt,
		AuthorizerId: auth.AuthorizerId, AuthorizationScopes: []string{"read", "admin"}, Target: aws.String("integrations/" + aws.ToString(it.IntegrationId))}))

	now := time.Now()
	good := jwt.MapClaims{"iss": is.srv.URL, "aud": "my-app", "sub": "u1", "scope": "read write", "exp": now.Add(time.Hour).Unix()}
	with := func(change map[string]any) jwt.MapClaims {
		m := jwt.MapClaims{}
		for k, v := range good {
			m[k] = v
		}
		for k, v := range change {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		auth   string
		status int
	}{
		{"valid", "Bearer " + is.token(t, good, false), 200},
		{"without Bearer", is.token(t, good, false), 200},
		{"client_id for aud", "Bearer " + is.token(t, with(map[string]any{"aud": nil, "client_id": "my-app"}), false), 200},
		{"no token", "", 401},
		{"garbage", "Bearer not.a.jwt", 401},
		{"forged", "Bearer " + is.token(t, good, true), 401},
		{"expired", "Bearer " + is.token(t, with(map[string]any{"exp": now.Add(-time.Hour).Unix()}), false), 401},
		{"no exp", "Bearer " + is.token(t, with(map[string]any{"exp": nil}), false), 401},
		{"other issuer", "Bearer " + is.token(t, with(map[string]any{"iss": "https://other.example"}), false), 401},
		{"other audience", "Bearer " + is.token(t, with(map[string]any{"aud": "else"}), false), 401},
		{"no scope", "Bearer " + is.token(t, with(map[string]any{"scope": "write"}), false), 403},
		{"alg none", "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1MSJ9.", 401},
	} {
		h := http.Header{}
		if tc.auth != "" {
			h.Set("Authorization", tc.auth)
		}
		status, _, body := get(t, srv, "GET", id, "/secure", h, "")
		if status != tc.status {
			t.Errorf("%s: GET /secure = %d %s; want %d", tc.name, status, body, tc.status)
		}
	}
	if status, _, _ := get(t, srv, "GET", id, "/open", nil, ""); status != 200 {
		t.Errorf("GET /open = %d; want 200", status)
	}

	// The claims and scopes reach a function in requestContext.authorizer.jwt.
	fn := pythonFunction(t, srv, "whoami", echoEvent)
	fit := must(c.CreateIntegration(bg, &apigatewayv2.CreateIntegrationInput{ApiId: aws.String(id), IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(fn), PayloadFormatVersion: aws.String("2.0")}))
	must(c.CreateRoute(bg, &apigatewayv2.CreateRouteInput{ApiId: aws.String(id), RouteKey: aws.String("GET /whoami"), AuthorizationType: types.AuthorizationTypeJwt,
		AuthorizerId: auth.AuthorizerId, Target: aws.String("integrations/" + aws.ToString(fit.IntegrationId))}))
	status, _, body := get(t, srv, "GET", id, "/whoami", http.Header{"Authorization": {"Bearer " + is.token(t, good, false)}}, "")
	if status != 200 {
		t.Fatalf("GET /whoami = %d %s", status, body)
	}
	jwtInfo := decode(t, body)["requestContext"].(map[string]any)["authorizer"].(map[string]any)["jwt"].(map[string]any)
	claims := jwtInfo["claims"].(map[string]any)
	if claims["sub"] != "u1" || claims["aud"] != "my-app" || len(jwtInfo["scopes"].([]any)) != 2 {
		t.Errorf("authorizer.jwt = %v", jwtInfo)
	}
}

// echoHeaders is an HTTP server that answers the request's headers.
func echoHeaders(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(r.Header)
	}))
	t.Cleanup(srv.Close)
	return srv
}
