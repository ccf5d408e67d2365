package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/gureum/gureum/internal/sigv4"
)

// accountCmd manages accounts on a running server through its admin API (Organizations), as the
// first account's root.
func accountCmd(getenv func(string) string, stdout io.Writer) *cobra.Command {
	var c adminClient
	cmd := &cobra.Command{
		Use:   "account",
		Short: "Create and list accounts on a running gureum (as the first account's root)",
		Long: `Create and list accounts on a running gureum, through its Organizations API, as the first
account's root. Its credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, else from
GUREUM_ROOT_ACCESS_KEY_ID and GUREUM_ROOT_SECRET_ACCESS_KEY, else from root-credentials.json in
--data-dir.`,
	}
	fl := cmd.PersistentFlags()
	fl.StringVar(&c.endpoint, "endpoint", "http://127.0.0.1:4566", "the server's endpoint")
	fl.StringVar(&c.region, "region", "us-east-1", "the region requests are signed for")
	fl.StringVar(&c.dataDir, "data-dir", "./gureum-data", "where to find root-credentials.json when no credentials are in the environment")
	fl.StringVar(&c.output, "output", "text", "text or json")
	var name, email string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an account and print its id and root credentials",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var out struct {
				GureumRootCredentials struct{ AccountId, AccessKeyId, SecretAccessKey string }
			}
			if err := c.call(cmd.Context(), getenv, "CreateAccount", map[string]string{"AccountName": name, "Email": email}, &out); err != nil {
				return err
			}
			r := out.GureumRootCredentials
			if c.output == "json" {
				return json.NewEncoder(stdout).Encode(map[string]string{"AccountId": r.AccountId, "AccessKeyId": r.AccessKeyId, "SecretAccessKey": r.SecretAccessKey})
			}
			fmt.Fprintf(stdout, "Created account %s (%s). Its root credentials, shown this once:\n  export AWS_ACCESS_KEY_ID=%s\n  export AWS_SECRET_ACCESS_KEY=%s\n",
				r.AccountId, name, r.AccessKeyId, r.SecretAccessKey)
			return nil
		},
	}
	create.Flags().StringVar(&name, "name", "", "the account's name (1 to 50 characters)")
	create.Flags().StringVar(&email, "email", "", "the account's email address (optional)")
	_ = create.MarkFlagRequired("name")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the accounts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			type account struct{ Id, Name, Status string }
			var all []account
			for token := ""; ; {
				var page struct {
					Accounts  []account
					NextToken string
				}
				in := map[string]string{}
				if token != "" {
					in["NextToken"] = token
				}
				if err := c.call(cmd.Context(), getenv, "ListAccounts", in, &page); err != nil {
					return err
				}
				all = append(all, page.Accounts...)
				if token = page.NextToken; token == "" {
					break
				}
			}
			if c.output == "json" {
				return json.NewEncoder(stdout).Encode(map[string]any{"Accounts": all})
			}
			for _, a := range all {
				fmt.Fprintf(stdout, "%s\t%s\t%s\n", a.Id, a.Status, a.Name)
			}
			return nil
		},
	}
	cmd.AddCommand(create, list)
	return cmd
}

// adminClient signs Organizations calls with SigV4 (sigv4.Sign: the server binary carries no
// AWS SDK).
type adminClient struct {
	endpoint, region, dataDir, output string
}

func (c *adminClient) credentials(getenv func(string) string) (credentials, error) {
	for _, pair := range [][2]string{{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}, {"GUREUM_ROOT_ACCESS_KEY_ID", "GUREUM_ROOT_SECRET_ACCESS_KEY"}} {
		if id, secret := getenv(pair[0]), getenv(pair[1]); id != "" && secret != "" {
			return credentials{id, secret, getenv("AWS_SESSION_TOKEN")}, nil
		}
	}
	b, err := os.ReadFile(filepath.Join(c.dataDir, "root-credentials.json"))
	if err != nil {
		return credentials{}, fmt.Errorf("no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to the first account's root key, or give --data-dir (%w)", err)
	}
	var saved struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
	}
	if err := json.Unmarshal(b, &saved); err != nil {
		return credentials{}, err
	}
	return credentials{saved.AccessKeyID, saved.SecretAccessKey, ""}, nil
}

type credentials struct{ keyID, secret, token string }

// call makes one Organizations call and decodes its answer into out.
func (c *adminClient) call(ctx context.Context, getenv func(string) string, op string, in, out any) error {
	creds, err := c.credentials(getenv)
	if err != nil {
		return err
	}
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128."+op)
	sigv4.Sign(req, body, creds.keyID, creds.secret, creds.token, c.region, "organizations", time.Now())
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		json.Unmarshal(b, &e)
		return fmt.Errorf("%s: %s (%s)", op, e.Message, e.Type)
	}
	return json.Unmarshal(b, out)
}
