package e2e

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestSecretsWithAWSCLIAndBoto3 drives KMS, Parameter Store and Secrets Manager with the AWS
// CLI and boto3 installed on this machine: kms sign/verify with an ECC key, encrypt/decrypt
// round trips bound to an encryption context (and refused under another), a SecureString
// parameter read with and without --with-decryption, a secret read back; boto3 signs with an RSA
// key and sees KMSInvalidSignatureException for a changed message.
func TestSecretsWithAWSCLIAndBoto3(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("NOTICE: the AWS CLI is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := exec.Command("aws", append(args, "--endpoint-url", p.Endpoint, "--output", "text")...)
		cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	cli := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		return out
	}
	file := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return "fileb://" + path
	}
	unb64 := func(s string) []byte {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("not base64: %q", s)
		}
		return b
	}

	// kms sign / verify.
	signing := cli("kms", "create-key", "--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY", "--query", "KeyMetadata.KeyId")
	msg := file("msg", []byte("release v1.2.3"))
	sig := cli("kms", "sign", "--key-id", signing, "--message", msg, "--message-type", "RAW", "--signing-algorithm", "ECDSA_SHA_256", "--query", "Signature")
	sigFile := file("sig", unb64(sig))
	if v := cli("kms", "verify", "--key-id", signing, "--message", msg, "--signature", sigFile, "--signing-algorithm", "ECDSA_SHA_256", "--query", "SignatureValid"); v != "True" {
		t.Errorf("aws kms verify = %q; want True", v)
	}
	if out, err := run("kms", "verify", "--key-id", signing, "--message", file("other", []byte("release v6.6.6")), "--signature", sigFile, "--signing-algorithm", "ECDSA_SHA_256"); err == nil || !strings.Contains(out, "KMSInvalidSignatureException") {
		t.Errorf("aws kms verify (changed message) = %q, %v; want KMSInvalidSignatureException", out, err)
	}
	if pub := cli("kms", "get-public-key", "--key-id", signing, "--query", "PublicKey"); len(unb64(pub)) != 91 {
		t.Errorf("aws kms get-public-key: %d bytes; want a P-256 SubjectPublicKeyInfo (91)", len(unb64(pub)))
	}

	// kms encrypt / decrypt with an encryption context.
	key := cli("kms", "create-key", "--description", "e2e", "--query", "KeyMetadata.KeyId")
	cli("kms", "create-alias", "--alias-name", "alias/e2e", "--target-key-id", key)
	ct := cli("kms", "encrypt", "--key-id", "alias/e2e", "--plaintext", file("plain", []byte("top secret")), "--encryption-context", "purpose=e2e", "--query", "CiphertextBlob")
	ctFile := file("ct", unb64(ct))
	if pt := cli("kms", "decrypt", "--ciphertext-blob", ctFile, "--encryption-context", "purpose=e2e", "--query", "Plaintext"); string(unb64(pt)) != "top secret" {
		t.Errorf("aws kms decrypt = %q", unb64(pt))
	}
	if out, err := run("kms", "decrypt", "--ciphertext-blob", ctFile, "--encryption-context", "purpose=other"); err == nil || !strings.Contains(out, "InvalidCiphertextException") {
		t.Errorf("aws kms decrypt (wrong context) = %q, %v; want InvalidCiphertextException", out, err)
	}

	// ssm put-parameter --type SecureString, get-parameter with and without decryption.
	cli("ssm", "put-parameter", "--name", "/e2e/db/password", "--type", "SecureString", "--value", "hunter2")
	if v := cli("ssm", "get-parameter", "--name", "/e2e/db/password", "--with-decryption", "--query", "Parameter.Value"); v != "hunter2" {
		t.Errorf("aws ssm get-parameter --with-decryption = %q; want hunter2", v)
	}
	if v := cli("ssm", "get-parameter", "--name", "/e2e/db/password", "--query", "Parameter.Value"); v == "hunter2" || v == "" {
		t.Errorf("aws ssm get-parameter without decryption = %q; want the ciphertext", v)
	}

	// secretsmanager create-secret / get-secret-value.
	cli("secretsmanager", "create-secret", "--name", "e2e/db", "--secret-string", `{"username":"admin","password":"pw"}`)
	if v := cli("secretsmanager", "get-secret-value", "--secret-id", "e2e/db", "--query", "SecretString"); v != `{"username":"admin","password":"pw"}` {
		t.Errorf("aws secretsmanager get-secret-value = %q", v)
	}

	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("NOTICE: boto3 is not installed; skipping the boto3 part")
	}
	script := `
import boto3, os
kms = boto3.client("kms", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
k = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
sig = kms.sign(KeyId=k, Message=b"hello", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
print(kms.verify(KeyId=k, Message=b"hello", Signature=sig, SigningAlgorithm="RSASSA_PSS_SHA_256")["SignatureValid"])
try:
    kms.verify(KeyId=k, Message=b"bye", Signature=sig, SigningAlgorithm="RSASSA_PSS_SHA_256")
except kms.exceptions.KMSInvalidSignatureException as e:
    print(e.response["Error"]["Code"])
ssm = boto3.client("ssm", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
ssm.put_parameter(Name="/py/token", Type="SecureString", Value="t0ken")
print(ssm.get_parameter(Name="/py/token", WithDecryption=True)["Parameter"]["Value"])
sm = boto3.client("secretsmanager", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
sm.create_secret(Name="py", SecretString="v1")
sm.put_secret_value(SecretId="py", SecretString="v2")
print(sm.get_secret_value(SecretId="py")["SecretString"], sm.get_secret_value(SecretId="py", VersionStage="AWSPREVIOUS")["SecretString"])
`
	cmd := exec.Command("python3", "-c", script)
	cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	out, err := cmd.CombinedOutput()
	want := "True\nKMSInvalidSignatureException\nt0ken\nv2 v1\n"
	if err != nil || string(out) != want {
		t.Errorf("boto3 printed %q, %v; want %q", out, err, want)
	}
}
