package kms_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gureum/gureum/internal/cli"
	"github.com/gureum/gureum/internal/gureumtest"
)

// principals makes IAM users with inline policies and hands back KMS clients signed as them.
type principals struct {
	t        *testing.T
	endpoint string
	admin    *awsiam.Client
}

func (p principals) user(name string, policies ...string) *kms.Client {
	p.t.Helper()
	if _, err := p.admin.CreateUser(bg, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		p.t.Fatal(err)
	}
	for i, doc := range policies {
		if _, err := p.admin.PutUserPolicy(bg, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p" + string(rune('0'+i))), PolicyDocument: aws.String(doc)}); err != nil {
			p.t.Fatal(err)
		}
	}
	key, err := p.admin.CreateAccessKey(bg, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		p.t.Fatal(err)
	}
	return kms.NewFromConfig(gureumtest.ConfigFor(p.endpoint, aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), ""))
}

const allowAllKMS = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`

func userARN(account, name string) string { return "arn:aws:iam::" + account + ":user/" + name }

// keyPolicy is a policy of the given statements.
func keyPolicy(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func allowStatement(principal, actions string) string {
	return `{"Sid":"Allow ` + principal + `","Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":` + actions + `,"Resource":"*"}`
}

func denied(err error, action string) bool {
	return code(err) == "AccessDeniedException" && strings.Contains(err.Error(), "is not authorized to perform: "+action)
}

func encryptAs(c *kms.Client, keyID string, ec map[string]string) error {
	_, err := c.Encrypt(bg, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("p"), EncryptionContext: ec})
	return err
}

// TestKeyPolicyIsPrimary: the default key policy delegates to IAM, so a user with an IAM
// allow may use the key and one without may not; a key policy that names a user lets it in
// without IAM and shuts out the account's administrators (root included); an explicit deny in
// the key policy wins over IAM.
func TestKeyPolicyIsPrimary(t *testing.T) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			root := kms.NewFromConfig(srv.Config())
			ps := principals{t: t, endpoint: srv.Endpoint, admin: awsiam.NewFromConfig(srv.Config())}
			admin := ps.user("admin", allowAllKMS)
			alice := ps.user("alice")

			k1 := newKey(t, root)
			if err := encryptAs(admin, *k1.Arn, nil); err != nil {
				t.Errorf("admin (IAM kms:*) Encrypt under the default policy = %v; want allowed", err)
			}
			if err := encryptAs(alice, *k1.Arn, nil); !denied(err, "kms:Encrypt") {
				t.Errorf("alice (no IAM policy) Encrypt under the default policy = %v; want AccessDeniedException", err)
			}

			// A policy naming only alice: CreateKey refuses it unless the lockout check is bypassed.
			onlyAlice := keyPolicy(allowStatement(userARN(gureumtest.AccountID, "alice"), `["kms:Encrypt","kms:Decrypt","kms:DescribeKey"]`))
			_, err := root.CreateKey(bg, &kms.CreateKeyInput{Policy: aws.String(onlyAlice)})
			if code(err) != "MalformedPolicyDocumentException" || !strings.Contains(err.Error(), "The new key policy will not allow you to update the key policy in the future.") {
				t.Fatalf("CreateKey(policy locking the caller out) = %v; want MalformedPolicyDocumentException", err)
			}
			out, err := root.CreateKey(bg, &kms.CreateKeyInput{Policy: aws.String(onlyAlice), BypassPolicyLockoutSafetyCheck: true})
			if err != nil {
				t.Fatalf("CreateKey(bypass) = %v", err)
			}
			k2 := *out.KeyMetadata.Arn
			enc, err := alice.Encrypt(bg, &kms.EncryptInput{KeyId: aws.String(k2), Plaintext: []byte("secret")})
			if err != nil {
				t.Fatalf("alice Encrypt under a key policy naming her = %v", err)
			}
			if dec, err := alice.Decrypt(bg, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil || string(dec.Plaintext) != "secret" {
				t.Errorf("alice Decrypt = %v, %v", dec, err)
			}
			if _, err := alice.ScheduleKeyDeletion(bg, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(k2)}); !denied(err, "kms:ScheduleKeyDeletion") {
				t.Errorf("alice ScheduleKeyDeletion (not in the key policy, no IAM) = %v; want AccessDeniedException", err)
			}
			for name, c := range map[string]*kms.Client{"admin": admin, "root": root} {
				_, err := c.Decrypt(bg, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
				if !denied(err, "kms:Decrypt") || !strings.Contains(err.Error(), "because no resource-based policy allows the kms:Decrypt action") {
					t.Errorf("%s Decrypt under a key policy that does not delegate to IAM = %v; want AccessDeniedException", name, err)
				}
			}

			// An explicit deny in the key policy beats an IAM allow and the delegation.
			withDeny := keyPolicy(allowStatement("arn:aws:iam::"+gureumtest.AccountID+":root", `"kms:*"`),
				`{"Effect":"Deny","Principal":{"AWS":"`+userARN(gureumtest.AccountID, "admin")+`"},"Action":"kms:Encrypt","Resource":"*"}`)
			k3, err := root.CreateKey(bg, &kms.CreateKeyInput{Policy: aws.String(withDeny)})
			if err != nil {
				t.Fatal(err)
			}
			if err := encryptAs(admin, *k3.KeyMetadata.Arn, nil); !denied(err, "kms:Encrypt") {
				t.Errorf("admin Encrypt denied by the key policy = %v; want AccessDeniedException", err)
			}
			if _, err := admin.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: k3.KeyMetadata.Arn}); err != nil {
				t.Errorf("admin DescribeKey (not denied) = %v", err)
			}

			// PutKeyPolicy: the lockout check, then bypassing it shuts root out of the key.
			_, err = root.PutKeyPolicy(bg, &kms.PutKeyPolicyInput{KeyId: k1.KeyId, Policy: aws.String(onlyAlice)})
			if code(err) != "MalformedPolicyDocumentException" || !strings.Contains(err.Error(), "The new key policy will not allow you to update the key policy in the future.") {
				t.Errorf("PutKeyPolicy(locking the caller out) = %v; want MalformedPolicyDocumentException", err)
			}
			if _, err := root.PutKeyPolicy(bg, &kms.PutKeyPolicyInput{KeyId: k1.KeyId, Policy: aws.String(onlyAlice), BypassPolicyLockoutSafetyCheck: true}); err != nil {
				t.Fatalf("PutKeyPolicy(bypass) = %v", err)
			}
			if _, err := root.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: k1.KeyId}); !denied(err, "kms:DescribeKey") {
				t.Errorf("root DescribeKey after locking itself out = %v; want AccessDeniedException", err)
			}
			if err := encryptAs(alice, *k1.Arn, nil); err != nil {
				t.Errorf("alice Encrypt after the new policy named her = %v", err)
			}
		})
	}
}

// TestGrantsAuthorize: a grant lets its grantee perform the grant's operations, under its
// encryption-context constraint, without any IAM policy; revoking it takes that away.
func TestGrantsAuthorize(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	root := kms.NewFromConfig(srv.Config())
	ps := principals{t: t, endpoint: srv.Endpoint, admin: awsiam.NewFromConfig(srv.Config())}
	bob := ps.user("bob")
	k := newKey(t, root)
	ec := map[string]string{"app": "billing"}
	if err := encryptAs(bob, *k.Arn, ec); !denied(err, "kms:Encrypt") {
		t.Fatalf("bob Encrypt before the grant = %v; want AccessDeniedException", err)
	}
	g, err := root.CreateGrant(bg, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: aws.String(userARN(gureumtest.AccountID, "bob")),
		Operations:  []types.GrantOperation{types.GrantOperationEncrypt, types.GrantOperationDecrypt},
		Constraints: &types.GrantConstraints{EncryptionContextSubset: ec}})
	if err != nil {
		t.Fatal(err)
	}
	if err := encryptAs(bob, *k.Arn, map[string]string{"app": "billing", "extra": "x"}); err != nil {
		t.Errorf("bob Encrypt with the grant's context = %v; want allowed", err)
	}
	if err := encryptAs(bob, *k.Arn, map[string]string{"app": "other"}); !denied(err, "kms:Encrypt") {
		t.Errorf("bob Encrypt with another context = %v; want AccessDeniedException", err)
	}
	if err := encryptAs(bob, *k.Arn, nil); !denied(err, "kms:Encrypt") {
		t.Errorf("bob Encrypt without a context = %v; want AccessDeniedException", err)
	}
	if _, err := bob.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: k.Arn}); !denied(err, "kms:DescribeKey") {
		t.Errorf("bob DescribeKey (not a granted operation) = %v; want AccessDeniedException", err)
	}
	if _, err := root.CreateGrant(bg, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: aws.String("not a principal"), Operations: []types.GrantOperation{types.GrantOperationEncrypt}}); code(err) != "ValidationException" {
		t.Errorf("CreateGrant(bad principal) = %v; want ValidationException", err)
	}
	// The retiring principal retires a grant without any IAM policy.
	g2, err := root.CreateGrant(bg, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: aws.String("arn:aws:iam::" + gureumtest.AccountID + ":root"),
		RetiringPrincipal: aws.String(userARN(gureumtest.AccountID, "bob")), Operations: []types.GrantOperation{types.GrantOperationDescribeKey}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.RetireGrant(bg, &kms.RetireGrantInput{KeyId: k.Arn, GrantId: g2.GrantId}); err != nil {
		t.Errorf("bob RetireGrant as the retiring principal = %v", err)
	}
	if _, err := root.RevokeGrant(bg, &kms.RevokeGrantInput{KeyId: k.KeyId, GrantId: g.GrantId}); err != nil {
		t.Fatal(err)
	}
	if err := encryptAs(bob, *k.Arn, ec); !denied(err, "kms:Encrypt") {
		t.Errorf("bob Encrypt after RevokeGrant = %v; want AccessDeniedException", err)
	}
}

// TestCrossAccountKey: another account's principal uses a key when the key policy names that
// account and its own IAM policy allows it; either alone is not enough.
func TestCrossAccountKey(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	env := map[string]string{"AWS_ACCESS_KEY_ID": gureumtest.AccessKeyID, "AWS_SECRET_ACCESS_KEY": gureumtest.SecretAccessKey}
	var out bytes.Buffer
	if err := cli.Run(bg, []string{"account", "create", "--name", "partner", "--output", "json", "--endpoint", srv.Endpoint}, func(k string) string { return env[k] }, &out, &out); err != nil {
		t.Fatalf("gureum account create: %v (%s)", err, out.String())
	}
	var partner struct{ AccountId, AccessKeyId, SecretAccessKey string }
	if err := json.Unmarshal(out.Bytes(), &partner); err != nil {
		t.Fatal(err)
	}
	partnerCfg := gureumtest.ConfigFor(srv.Endpoint, partner.AccessKeyId, partner.SecretAccessKey, "")
	theirs := principals{t: t, endpoint: srv.Endpoint, admin: awsiam.NewFromConfig(partnerCfg)}
	carol := theirs.user("carol", allowAllKMS)
	dave := theirs.user("dave")

	root := kms.NewFromConfig(srv.Config())
	shared, err := root.CreateKey(bg, &kms.CreateKeyInput{Policy: aws.String(keyPolicy(
		allowStatement("arn:aws:iam::"+gureumtest.AccountID+":root", `"kms:*"`),
		allowStatement("arn:aws:iam::"+partner.AccountId+":root", `["kms:Encrypt","kms:Decrypt"]`)))})
	if err != nil {
		t.Fatal(err)
	}
	private := newKey(t, root)
	arn := *shared.KeyMetadata.Arn
	enc, err := carol.Encrypt(bg, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: []byte("x")})
	if err != nil {
		t.Fatalf("carol (partner, IAM allows) Encrypt with a key shared with her account = %v", err)
	}
	if _, err := carol.Decrypt(bg, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
		t.Errorf("carol Decrypt = %v", err)
	}
	if _, err := carol.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: aws.String(arn)}); !denied(err, "kms:DescribeKey") {
		t.Errorf("carol DescribeKey (not shared) = %v; want AccessDeniedException", err)
	}
	if err := encryptAs(dave, arn, nil); !denied(err, "kms:Encrypt") {
		t.Errorf("dave (partner, no IAM policy) Encrypt = %v; want AccessDeniedException", err)
	}
	if err := encryptAs(carol, *private.Arn, nil); !denied(err, "kms:Encrypt") {
		t.Errorf("carol Encrypt with a key not shared with her account = %v; want AccessDeniedException", err)
	}
}

// TestUseThroughServicesNeedsKeyPermission: SSM and Secrets Manager use a customer managed key
// for their caller only when the caller may use the key itself (kms:ViaService names the
// service); AWS managed keys serve every principal of the account through their service.
func TestUseThroughServicesNeedsKeyPermission(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	root := kms.NewFromConfig(srv.Config())
	iamc := awsiam.NewFromConfig(srv.Config())
	ps := principals{t: t, endpoint: srv.Endpoint, admin: iamc}
	ps.user("eve", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:*","secretsmanager:*"],"Resource":"*"}]}`)
	key, err := iamc.CreateAccessKey(bg, &awsiam.CreateAccessKeyInput{UserName: aws.String("eve")})
	if err != nil {
		t.Fatal(err)
	}
	eveCfg := gureumtest.ConfigFor(srv.Endpoint, aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")
	eveSSM, rootSSM := ssm.NewFromConfig(eveCfg), ssm.NewFromConfig(srv.Config())
	eveSM, rootSM := secretsmanager.NewFromConfig(eveCfg), secretsmanager.NewFromConfig(srv.Config())
	cmk := newKey(t, root)

	put := func(c *ssm.Client, name, keyID string) error {
		in := &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("v"), Type: ssmtypes.ParameterTypeSecureString}
		if keyID != "" {
			in.KeyId = aws.String(keyID)
		}
		_, err := c.PutParameter(bg, in)
		return err
	}
	get := func(c *ssm.Client, name string) error {
		_, err := c.GetParameter(bg, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
		return err
	}
	if err := put(eveSSM, "/eve/default", ""); err != nil {
		t.Errorf("eve PutParameter(SecureString, alias/aws/ssm) = %v; want allowed", err)
	}
	if err := get(eveSSM, "/eve/default"); err != nil {
		t.Errorf("eve GetParameter(alias/aws/ssm, decrypted) = %v; want allowed", err)
	}
	if err := put(eveSSM, "/eve/cmk", *cmk.Arn); !denied(err, "kms:Encrypt") {
		t.Errorf("eve PutParameter(SecureString, customer key, no kms:Encrypt) = %v; want AccessDeniedException", err)
	}
	if err := put(rootSSM, "/root/cmk", *cmk.Arn); err != nil {
		t.Fatal(err)
	}
	if err := get(eveSSM, "/root/cmk"); !denied(err, "kms:Decrypt") {
		t.Errorf("eve GetParameter(customer key, decrypted, no kms:Decrypt) = %v; want AccessDeniedException", err)
	}
	if _, err := eveSSM.GetParameter(bg, &ssm.GetParameterInput{Name: aws.String("/root/cmk")}); err != nil {
		t.Errorf("eve GetParameter(customer key, not decrypted) = %v; want allowed", err)
	}
	via := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"` + *cmk.Arn + `","Condition":{"StringEquals":{"kms:ViaService":"ssm.us-east-1.amazonaws.com"}}}]}`
	if _, err := iamc.PutUserPolicy(bg, &awsiam.PutUserPolicyInput{UserName: aws.String("eve"), PolicyName: aws.String("via"), PolicyDocument: aws.String(via)}); err != nil {
		t.Fatal(err)
	}
	if err := get(eveSSM, "/root/cmk"); err != nil {
		t.Errorf("eve GetParameter(customer key) with kms:Decrypt via SSM = %v; want allowed", err)
	}

	if _, err := rootSM.CreateSecret(bg, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("pw"), KmsKeyId: cmk.Arn}); err != nil {
		t.Fatal(err)
	}
	_, err = eveSM.GetSecretValue(bg, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
	if code(err) != "AccessDeniedException" || !strings.Contains(err.Error(), "Access to KMS is not allowed") {
		t.Errorf("eve GetSecretValue(customer key, no kms:Decrypt via Secrets Manager) = %v; want AccessDeniedException", err)
	}
	if _, err := eveSM.CreateSecret(bg, &secretsmanager.CreateSecretInput{Name: aws.String("eve"), SecretString: aws.String("pw"), KmsKeyId: cmk.Arn}); code(err) != "AccessDeniedException" {
		t.Errorf("eve CreateSecret(customer key, no kms:GenerateDataKey) = %v; want AccessDeniedException", err)
	}
	if _, err := eveSM.CreateSecret(bg, &secretsmanager.CreateSecretInput{Name: aws.String("eve"), SecretString: aws.String("pw")}); err != nil {
		t.Errorf("eve CreateSecret(alias/aws/secretsmanager) = %v; want allowed", err)
	}
}

// TestKeyPoliciesUnenforced: with --iam-enforcement=false key policies are kept but not
// evaluated, as every other policy: root uses a key whose policy names only another user.
func TestKeyPoliciesUnenforced(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn", "--iam-enforcement=false"}})
	root := kms.NewFromConfig(srv.Config())
	onlyAlice := keyPolicy(allowStatement(userARN(gureumtest.AccountID, "alice"), `"kms:*"`))
	k, err := root.CreateKey(bg, &kms.CreateKeyInput{Policy: aws.String(onlyAlice), BypassPolicyLockoutSafetyCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := encryptAs(root, *k.KeyMetadata.Arn, nil); err != nil {
		t.Errorf("root Encrypt without enforcement = %v; want allowed", err)
	}
}

// TestKeyPolicyNamesRole: a key policy naming a role (with a path, which a session's ARN leaves
// out) lets the role's sessions use the key without an IAM policy.
func TestKeyPolicyNamesRole(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	root := kms.NewFromConfig(srv.Config())
	iamc := awsiam.NewFromConfig(srv.Config())
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + gureumtest.AccountID + `:root"},"Action":"sts:AssumeRole"}]}`
	role, err := iamc.CreateRole(bg, &awsiam.CreateRoleInput{RoleName: aws.String("app"), Path: aws.String("/service-role/"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	ps := principals{t: t, endpoint: srv.Endpoint, admin: iamc}
	ps.user("assumer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	key, err := iamc.CreateAccessKey(bg, &awsiam.CreateAccessKeyInput{UserName: aws.String("assumer")})
	if err != nil {
		t.Fatal(err)
	}
	stsc := sts.NewFromConfig(gureumtest.ConfigFor(srv.Endpoint, aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), ""))
	creds, err := stsc.AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	session := kms.NewFromConfig(gureumtest.ConfigFor(srv.Endpoint, aws.ToString(creds.Credentials.AccessKeyId), aws.ToString(creds.Credentials.SecretAccessKey), aws.ToString(creds.Credentials.SessionToken)))
	// The policy names the role alone: the account's IAM policies do not count.
	k, err := root.CreateKey(bg, &kms.CreateKeyInput{Policy: aws.String(keyPolicy(allowStatement(aws.ToString(role.Role.Arn), `"kms:Encrypt"`))),
		BypassPolicyLockoutSafetyCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := encryptAs(session, *k.KeyMetadata.Arn, nil); err != nil {
		t.Errorf("a session of %s Encrypt = %v; want allowed by the key policy", aws.ToString(role.Role.Arn), err)
	}
	if _, err := session.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: k.KeyMetadata.Arn}); !denied(err, "kms:DescribeKey") {
		t.Errorf("the session DescribeKey = %v; want AccessDeniedException", err)
	}
}
