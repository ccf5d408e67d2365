package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/gureum/gureum/internal/store/postgres"
)

// SecretsClients are aws-sdk-go-v2 clients of KMS, Parameter Store and Secrets Manager for an
// endpoint, sharing a connection pool sized for many concurrent callers.
type SecretsClients struct {
	KMS     *kms.Client
	SSM     *ssm.Client
	Secrets *secretsmanager.Client
}

// NewSecretsClients returns the three clients for endpoint.
func NewSecretsClients(endpoint, keyID, secret string) SecretsClients {
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}
	cfg := aws.Config{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: tr, Timeout: 60 * time.Second},
	}
	return SecretsClients{KMS: kms.NewFromConfig(cfg), SSM: ssm.NewFromConfig(cfg), Secrets: secretsmanager.NewFromConfig(cfg)}
}

// GetParameterLatency reads one String parameter from a single client for d.
func GetParameterLatency(ctx context.Context, c *ssm.Client, d time.Duration) (Latencies, error) {
	name := fmt.Sprintf("/bench/param-%d", time.Now().UnixNano())
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: &name, Value: aws.String("a configuration value"), Type: "String"}); err != nil {
		return Latencies{}, err
	}
	return concurrently(ctx, 1, 1<<62, d, func(ctx context.Context, _ int64) error {
		_, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: &name})
		return err
	})
}

// GetSecretValueLatency reads one secret's current value from a single client for d.
func GetSecretValueLatency(ctx context.Context, c *secretsmanager.Client, d time.Duration) (Latencies, error) {
	name := fmt.Sprintf("bench-secret-%d", time.Now().UnixNano())
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: &name, SecretString: aws.String(`{"username":"app","password":"correct horse battery staple"}`)}); err != nil {
		return Latencies{}, err
	}
	return concurrently(ctx, 1, 1<<62, d, func(ctx context.Context, _ int64) error {
		_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &name})
		return err
	})
}

// EncryptDecrypt4KB runs `clients` workers that each Encrypt 4 KB under a customer key, with an
// encryption context, and Decrypt the result, for d. Each latency is one such pair.
func EncryptDecrypt4KB(ctx context.Context, c *kms.Client, clients int, d time.Duration) (Latencies, error) {
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("bench")})
	if err != nil {
		return Latencies{}, err
	}
	data := make([]byte, 4096)
	ec := map[string]string{"purpose": "bench"}
	return concurrently(ctx, clients, 1<<62, d, func(ctx context.Context, _ int64) error {
		enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyMetadata.KeyId, Plaintext: data, EncryptionContext: ec})
		if err != nil {
			return err
		}
		_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
		return err
	})
}

// RunSecrets measures GetParameter and GetSecretValue latency and Encrypt/Decrypt throughput
// against the binary (SQLite, and PostgreSQL when a DSN is given) and moto_server with the same
// client and workloads.
func RunSecrets(ctx context.Context, o Options) error {
	dir, err := os.MkdirTemp("", "gureum-bench-secrets")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var tbl table
	type target struct{ name, endpoint string }
	cmd, endpoint, _, err := StartBinary(ctx, o.Binary, dir+"/sqlite", "AKIAGUREUMBENCH00001", "bench-secret")
	if err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	targets := []target{{"gureum sqlite", endpoint}}
	if o.Postgres != "" {
		schema := fmt.Sprintf("gureum_bench_%d", time.Now().UnixNano())
		db, err := postgres.Open(ctx, o.Postgres, postgres.Options{Schema: schema})
		if err != nil {
			return err
		}
		defer func() { db.DropSchema(ctx, schema); db.Close() }()
		pg, pgEndpoint, _, err := StartBinary(ctx, o.Binary, dir+"/postgres", "AKIAGUREUMBENCH00001", "bench-secret", "--store", withSearchPath(o.Postgres, schema))
		if err != nil {
			return err
		}
		defer func() { pg.Process.Signal(os.Interrupt); pg.Wait() }()
		targets = append(targets, target{"gureum postgres", pgEndpoint})
	}
	if !o.NoPeer {
		if moto, stop, err := Moto(ctx); err == nil {
			defer stop()
			targets = append(targets, target{"moto_server", moto})
		} else {
			fmt.Fprintf(os.Stderr, "NOTICE: moto_server not measured: %v\n", err)
		}
	}
	goal := func(t target, g string) string {
		if t.name == "gureum sqlite" {
			return g
		}
		return ""
	}
	for _, t := range targets {
		c := NewSecretsClients(t.endpoint, "AKIAGUREUMBENCH00001", "bench-secret")
		p, err := GetParameterLatency(ctx, c.SSM, o.Duration)
		if err != nil {
			return fmt.Errorf("%s: GetParameter: %w", t.name, err)
		}
		tbl.add("secrets", "GetParameter, 1 client: "+t.name, fmt.Sprintf("p50 %s, p99 %s (%.0f /s)", ms(p.P50), ms(p.P99), p.PerSec), goal(t, "p50 ≤ 0.3 ms"))
		s, err := GetSecretValueLatency(ctx, c.Secrets, o.Duration)
		if err != nil {
			return fmt.Errorf("%s: GetSecretValue: %w", t.name, err)
		}
		tbl.add("secrets", "GetSecretValue, 1 client: "+t.name, fmt.Sprintf("p50 %s, p99 %s (%.0f /s)", ms(s.P50), ms(s.P99), s.PerSec), goal(t, "p50 ≤ 0.3 ms"))
		e, err := EncryptDecrypt4KB(ctx, c.KMS, 16, o.Duration)
		if err != nil {
			return fmt.Errorf("%s: Encrypt/Decrypt: %w", t.name, err)
		}
		tbl.add("secrets", "Encrypt+Decrypt of 4 KB, 16 clients: "+t.name, fmt.Sprintf("%.0f operations/s (pair p50 %s)", 2*e.PerSec, ms(e.P50)), goal(t, "≥ 20,000 /s"))
	}
	return tbl.print(o.Out)
}
