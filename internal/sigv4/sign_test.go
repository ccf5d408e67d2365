package sigv4

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestSignVerifies: a request Sign signs passes Verify on the server side, with and without a
// session token, and a changed body does not.
func TestSignVerifies(t *testing.T) {
	v := testVerifier()
	for _, c := range []struct {
		cred   *Credential
		tamper bool
		ok     bool
	}{{rootCred, false, true}, {tempCred, false, true}, {rootCred, true, false}} {
		body := []byte(`{"AccountName":"partner"}`)
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", bytes.NewReader(body))
		r.RequestURI = "" // as a client builds it
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.CreateAccount")
		Sign(r, body, c.cred.AccessKeyID, c.cred.SecretAccessKey, c.cred.SessionToken, "us-east-1", "organizations", testNow)
		if c.tamper {
			body = []byte(`{"AccountName":"attacker"}`)
		}
		_, err := v.Verify(context.Background(), r, Options{Service: "organizations", Body: body})
		if (err == nil) != c.ok {
			t.Errorf("Verify(signed by %s, tampered %v) = %v; want ok %v", c.cred.AccessKeyID, c.tamper, err, c.ok)
		}
	}
}
