package secretsmanager_test

import (
	"bytes"
	"database/sql"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/gureum/gureum/internal/gureumtest"
)

// cleartext is every form in which a plaintext could sit in a stored document: its bytes, and
// its base64 at each of the three alignments (a []byte field of a JSON document).
func cleartext(plain string) [][]byte {
	forms := [][]byte{[]byte(plain)}
	for i := range 3 {
		b := base64.StdEncoding.EncodeToString([]byte(plain[i:]))
		forms = append(forms, []byte(b[4:len(b)-4]))
	}
	return forms
}

func leaks(data []byte, secrets []string) string {
	for _, s := range secrets {
		for _, f := range cleartext(s) {
			if bytes.Contains(data, f) {
				return s
			}
		}
	}
	return ""
}

// TestNothingInTheClearAtRest stores SecureStrings, secrets (string and binary) and a KMS data
// key, then reads the whole data dir (database, WAL, everything else) and, on PostgreSQL, the
// stored rows themselves: no value appears in the clear.
func TestNothingInTheClearAtRest(t *testing.T) {
	secrets := []string{"SENTINEL-securestring-4b1d9e", "SENTINEL-secretstring-77c2aa", "SENTINEL-binary-secret-0f0f", "SENTINEL-kms-plaintext-c0ffee"}
	for _, s := range secrets { // the check itself finds a value stored raw or as JSON base64
		if leaks([]byte(`{"V":"`+base64.StdEncoding.EncodeToString([]byte("xy"+s))+`"}`), secrets) != s {
			t.Fatalf("leaks misses %q in base64", s)
		}
	}
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			cfg := srv.Config()
			p := ssm.NewFromConfig(cfg)
			if _, err := p.PutParameter(bg, &ssm.PutParameterInput{Name: aws.String("/app/pw"), Value: aws.String(secrets[0]), Type: ssmtypes.ParameterTypeSecureString}); err != nil {
				t.Fatal(err)
			}
			c := sm.NewFromConfig(cfg)
			if _, err := c.CreateSecret(bg, &sm.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String(secrets[1])}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.CreateSecret(bg, &sm.CreateSecretInput{Name: aws.String("b"), SecretBinary: []byte(secrets[2])}); err != nil {
				t.Fatal(err)
			}
			k := kms.NewFromConfig(cfg)
			key, _ := k.CreateKey(bg, &kms.CreateKeyInput{})
			if _, err := k.Encrypt(bg, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte(secrets[3])}); err != nil {
				t.Fatal(err)
			}
			if v, err := c.GetSecretValue(bg, &sm.GetSecretValueInput{SecretId: aws.String("s")}); err != nil || *v.SecretString != secrets[1] {
				t.Fatalf("GetSecretValue = %v, %v", v, err)
			}
			checkDir(t, srv.DataDir, secrets, b.Name == "sqlite") // while running: the WAL holds the latest commits
			if b.Name == "postgres" {
				checkRows(t, b.Args[1], secrets)
			}
			if err := srv.Stop(); err != nil {
				t.Fatal(err)
			}
			checkDir(t, srv.DataDir, secrets, b.Name == "sqlite")
		})
	}
}

func checkDir(t *testing.T, dir string, secrets []string, database bool) {
	t.Helper()
	var files int
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files++
		if s := leaks(data, secrets); s != "" {
			t.Errorf("%s holds %q in the clear", path, s)
		}
		return nil
	})
	if database && files < 2 {
		t.Fatal("the data dir holds no database")
	}
}

// checkRows reads every stored record and the master key row raw from PostgreSQL.
func checkRows(t *testing.T, dsn string, secrets []string) {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT kind || account_id || name, doc FROM secret_records`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name string
		var doc []byte
		if err := rows.Scan(&name, &doc); err != nil {
			t.Fatal(err)
		}
		n++
		if s := leaks(append([]byte(name), doc...), secrets); s != "" {
			t.Errorf("row %s holds %q in the clear", name, s)
		}
	}
	if n < 4 || strings.Contains(dsn, "search_path") == false {
		t.Errorf("read %d rows from %s; want the test's records", n, dsn)
	}
}
