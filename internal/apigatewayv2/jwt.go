package apigatewayv2

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// jwksTTL is how long a node keeps an issuer's keys before it fetches them again; a token signed
// by a key it does not know fetches them at once, at most every jwksRetry.
const (
	jwksTTL   = time.Hour
	jwksRetry = 10 * time.Second
	maxJWKS   = 1 << 20
)

// jwksCache holds the signing keys of the issuers this node verified tokens of.
type jwksCache struct {
	client *http.Client
	mu     sync.Mutex
	m      map[string]*issuerKeys
}

type issuerKeys struct {
	keys    map[string]crypto.PublicKey // by kid
	fetched time.Time
}

func newJWKSCache(c *http.Client) *jwksCache {
	return &jwksCache{client: c, m: map[string]*issuerKeys{}}
}

// key answers an issuer's key by kid, fetching the issuer's JWKS (found through its OpenID
// discovery document) when it has none, they are old, or the kid is new.
func (c *jwksCache) key(ctx context.Context, issuer, kid string, now time.Time) (crypto.PublicKey, error) {
	c.mu.Lock()
	ik := c.m[issuer]
	c.mu.Unlock()
	if ik != nil && now.Sub(ik.fetched) < jwksTTL {
		if k := ik.lookup(kid); k != nil {
			return k, nil
		}
		if now.Sub(ik.fetched) < jwksRetry {
			return nil, fmt.Errorf("no key %q for issuer %s", kid, issuer)
		}
	}
	keys, err := c.fetch(ctx, issuer)
	// A failed fetch is remembered as no keys, so that tokens do not fetch again before jwksRetry.
	ik = &issuerKeys{keys: keys, fetched: now}
	c.mu.Lock()
	if len(c.m) > 1000 {
		clear(c.m)
	}
	c.m[issuer] = ik
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if k := ik.lookup(kid); k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("no key %q for issuer %s", kid, issuer)
}

func (ik *issuerKeys) lookup(kid string) crypto.PublicKey {
	if k, ok := ik.keys[kid]; ok {
		return k
	}
	if kid == "" && len(ik.keys) == 1 {
		for _, k := range ik.keys {
			return k
		}
	}
	return nil
}

func (c *jwksCache) fetch(ctx context.Context, issuer string) (map[string]crypto.PublicKey, error) {
	var disc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := c.getJSON(ctx, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", &disc); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(disc.JWKSURI, "https://") && !strings.HasPrefix(disc.JWKSURI, "http://") {
		return nil, fmt.Errorf("issuer %s: jwks_uri %q is not an HTTP URL", issuer, disc.JWKSURI)
	}
	var set jwkSet
	if err := c.getJSON(ctx, disc.JWKSURI, &set); err != nil {
		return nil, err
	}
	return set.publicKeys(), nil
}

func (c *jwksCache) getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKS))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// jwkSet is a JSON Web Key Set (RFC 7517): the RSA and EC signing keys are read from it.
type jwkSet struct {
	Keys []struct {
		Kty string `json:"kty"`
		Kid string `json:"kid"`
		Use string `json:"use"`
		N   string `json:"n"`
		E   string `json:"e"`
		Crv string `json:"crv"`
		X   string `json:"x"`
		Y   string `json:"y"`
	} `json:"keys"`
}

func (s jwkSet) publicKeys() map[string]crypto.PublicKey {
	out := map[string]crypto.PublicKey{}
	b64 := base64.RawURLEncoding
	for _, k := range s.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		switch k.Kty {
		case "RSA":
			n, err1 := b64.DecodeString(k.N)
			e, err2 := b64.DecodeString(k.E)
			if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
				continue
			}
			out[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		case "EC":
			curve := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}[k.Crv]
			x, err1 := b64.DecodeString(k.X)
			y, err2 := b64.DecodeString(k.Y)
			if curve == nil || err1 != nil || err2 != nil {
				continue
			}
			out[k.Kid] = &ecdsa.PublicKey{Curve: curve, X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
		}
	}
	return out
}

// errScopes is a valid token without a scope the route asks for: 403, not 401.
var errScopes = errors.New("token lacks the route's scopes")

// verifyJWT checks a bearer token as a JWT authorizer does: signed by a key of the issuer's JWKS,
// iss the issuer, aud (or client_id) one of the audiences, within exp and nbf, and holding one of
// the route's scopes (scope or scp) when it names any. It answers the claims and scopes.
func (s *Service) verifyJWT(ctx context.Context, a *Authorizer, raw string, routeScopes []string) (*JWTInfo, error) {
	cfg := a.JWTConfiguration
	if cfg == nil {
		return nil, errors.New("no JWT configuration")
	}
	now := s.now()
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"}),
		jwt.WithIssuer(cfg.Issuer), jwt.WithTimeFunc(func() time.Time { return now }), jwt.WithExpirationRequired())
	claims := jwt.MapClaims{}
	_, err := parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return s.jwks.key(ctx, cfg.Issuer, kid, now)
	})
	if err != nil {
		return nil, err
	}
	if !audienceMatches(claims, cfg.Audience) {
		return nil, errors.New("token audience is not allowed")
	}
	scopes := tokenScopes(claims)
	if len(routeScopes) > 0 && !slices.ContainsFunc(routeScopes, func(s string) bool { return slices.Contains(scopes, s) }) {
		return nil, errScopes
	}
	info := &JWTInfo{Claims: map[string]string{}, Scopes: scopes}
	for k, v := range claims {
		info.Claims[k] = claimString(v)
	}
	return info, nil
}

// audienceMatches: aud, or client_id when the token has no aud, must be one of the audiences.
func audienceMatches(claims jwt.MapClaims, audiences []string) bool {
	aud, _ := claims.GetAudience()
	if len(aud) == 0 {
		if id, ok := claims["client_id"].(string); ok {
			aud = []string{id}
		}
	}
	return slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(audiences, a) })
}

func tokenScopes(claims jwt.MapClaims) []string {
	for _, name := range []string{"scope", "scp"} {
		switch v := claims[name].(type) {
		case string:
			return strings.Fields(v)
		case []any:
			var out []string
			for _, x := range v {
				if s, ok := x.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return nil
}

// claimString is a claim as API Gateway passes it: strings as they are, the rest in JSON text
// (arrays as "[a b]" in AWS's own rendering are not reproduced).
func claimString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprint(int64(x))
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}
