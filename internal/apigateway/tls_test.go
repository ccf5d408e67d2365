package apigateway_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// testCA makes a CA and a server certificate it signs for 127.0.0.1 and localhost, writes the
// server's certificate and key as PEM files under dir, and returns the pool that trusts the CA.
func testCA(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gureum test CA"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost", "*.execute-api.localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	pool = x509.NewCertPool()
	pool.AddCert(caCert)
	return certFile, keyFile, pool
}

// TestTLSAndPrivateAddressing: with --tls-cert and --tls-key both listeners serve HTTPS (the SDK
// trusts the test's CA); on the private listener a PRIVATE API is reached as through a VPC
// endpoint's DNS name, by the x-apigw-api-id header or the <api-id>-<vpce-id> Host.
func TestTLSAndPrivateAddressing(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := testCA(t, dir)
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn", "--private-listen", "127.0.0.1:0", "--vpc-endpoint-id", vpce,
		"--tls-cert", certFile, "--tls-key", keyFile}})
	if !strings.HasPrefix(srv.Endpoint, "https://") {
		t.Fatalf("endpoint %s; want https", srv.Endpoint)
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	cfg := srv.Config()
	cfg.HTTPClient = client
	c := apigateway.NewFromConfig(cfg)
	private := privateEndpoint(t, srv)
	if !strings.HasPrefix(private, "https://") {
		t.Fatalf("private endpoint %s; want https", private)
	}
	api := must(c.CreateRestApi(bg, &apigateway.CreateRestApiInput{Name: aws.String("inside"), Policy: aws.String(vpcePolicy("Allow", "StringEquals", vpce)),
		EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypePrivate}}}))
	if err := mockMethod(t, c, api, "NONE"); err != nil {
		t.Fatal(err)
	}
	do := func(base, host, header, path string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		if host != "" {
			req.Host = host
		}
		if header != "" {
			req.Header.Set("x-apigw-api-id", header)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		name, base, host, header, path string
		want                           int
	}{
		{"header on the private listener", private, "", *api.Id, "/prod/status", 200},
		{"vpce host on the private listener", private, *api.Id + "-" + vpce + ".execute-api.us-east-1.amazonaws.com", "", "/prod/status", 200},
		{"header on the public listener (read only on the private one)", srv.Endpoint, "", *api.Id, "/prod/status", 404},
		{"path form on the public listener", srv.Endpoint, "", "", "/_gureum/execute-api/" + *api.Id + "/prod/status", 403},
	} {
		if got := do(tc.base, tc.host, tc.header, tc.path); got != tc.want {
			t.Errorf("%s: %d; want %d", tc.name, got, tc.want)
		}
	}
	// A plain-HTTP client is refused by the TLS listener.
	if resp, err := http.Get("http" + strings.TrimPrefix(srv.Endpoint, "https") + "/_gureum/health"); err == nil && resp.StatusCode == 200 {
		resp.Body.Close()
		t.Errorf("plain HTTP to the TLS listener answered 200")
	}
}
