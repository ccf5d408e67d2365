package ssm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

var bg = context.Background()

func each(t *testing.T, fn func(t *testing.T, c *ssm.Client, srv *gureumtest.Server)) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			fn(t, ssm.NewFromConfig(srv.Config()), srv)
		})
	}
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprintf("no API error: %v", err)
}

func put(t *testing.T, c *ssm.Client, name, value string, typ types.ParameterType, overwrite bool) int64 {
	t.Helper()
	out, err := c.PutParameter(bg, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: typ, Overwrite: aws.Bool(overwrite)})
	if err != nil {
		t.Fatalf("PutParameter(%s): %v", name, err)
	}
	return out.Version
}

func TestPutGet(t *testing.T) {
	each(t, func(t *testing.T, c *ssm.Client, _ *gureumtest.Server) {
		if v := put(t, c, "/app/db/host", "db1", types.ParameterTypeString, false); v != 1 {
			t.Errorf("version = %d; want 1", v)
		}
		_, err := c.PutParameter(bg, &ssm.PutParameterInput{Name: aws.String("/app/db/host"), Value: aws.String("x"), Type: types.ParameterTypeString})
		if code(err) != "ParameterAlreadyExists" {
			t.Errorf("PutParameter(again) = %v; want ParameterAlreadyExists", err)
		}
		if v := put(t, c, "/app/db/host", "db2", "", true); v != 2 {
			t.Errorf("overwrite version = %d; want 2", v)
		}
		got, err := c.GetParameter(bg, &ssm.GetParameterInput{Name: aws.String("/app/db/host")})
		if err != nil || *got.Parameter.Value != "db2" || got.Parameter.Version != 2 || *got.Parameter.ARN != "arn:aws:ssm:us-east-1:000000000000:parameter/app/db/host" {
			t.Errorf("GetParameter = %+v, %v", got.Parameter, err)
		}
		v1, err := c.GetParameter(bg, &ssm.GetParameterInput{Name: aws.String("/app/db/host:1")})
		if err != nil || *v1.Parameter.Value != "db1" || *v1.Parameter.Selector != ":1" {
			t.Errorf("GetParameter(:1) = %+v, %v", v1, err)
		}
		if _, err := c.GetParameter(bg, &ssm.GetParameterInput{Name: aws.String("/app/db/host:9")}); code(err) != "ParameterVersionNotFound" {
			t.Errorf("GetParameter(:9) = %v; want ParameterVersionNotFound", err)
		}
		if _, err := c.GetParameter(bg, &ssm.GetParameterInput{Name: aws.String("/nope")}); code(err) != "ParameterNotFound" {
			t.Errorf("GetParameter(missing) = %v; want ParameterNotFound", err)
		}
		lab, err := c.LabelParameterVersion(bg, &ssm.LabelParameterVersionInput{Name: aws.String("/app/db/host"), ParameterVersion: aws.Int64(1), Labels: []string{"prod", "1bad", "awsx"}})
		if err != nil || lab.ParameterVersion != 1 || len(lab.InvalidLabels) != 2 {
			t.Fatalf("LabelParameterVersion = %+v, %v", lab, err)
		}
		if p, err := c.GetParameter(bg, &ssm.GetParameterInput{Name: aws.String("/app/db/host:prod")}); err != nil || *p.Parameter.Value != "db1" {
			t.Errorf("GetParameter(:prod) = %v, %v", p, err)
		}
		hist, err := c.GetParameterHistory(bg, &ssm.GetParameterHistoryInput{Name: aws.String("/app/db/host")})
		if err != nil || len(hist.Parameters) != 2 || hist.Parameters[0].Labels[0] != "prod" {
			t.Errorf("GetParameterHistory = %+v, %v", hist, err)
		}
		many, err := c.GetParameters(bg, &ssm.GetParametersInput{Names: []string{"/app/db/host", "/missing", "/app/db/host:1"}})
		if err != nil || len(many.Parameters) != 2 || len(many.InvalidParameters) != 1 || many.InvalidParameters[0] != "/missing" {
			t.Errorf("GetParameters = %+v, %v", many, err)
		}
		put(t, c, "list", "a,b,c", types.ParameterTypeStringList, false)
		del, err := c.DeleteParameters(bg, &ssm.DeleteParametersInput{Names: []string{"list", "nope"}})
		if err != nil || len(del.DeletedParameters) != 1 || del.InvalidParameters[0] != "nope" {
			t.Errorf("DeleteParameters = %+v, %v", del, err)
		}
		if _, err := c.DeleteParameter(bg, &ssm.DeleteParameterInput{Name: aws.String("list")}); code(err) != "ParameterNotFound" {
			t.Errorf("DeleteParameter(gone) = %v", err)
		}
	})
}

func TestValidation(t *testing.T) {
	each(t, func(t *testing.T, c *ssm.Client, _ *gureumtest.Server) {
		deep := strings.Repeat("/a", 16)
		for name, want := range map[string]string{
			"/aws/x": "ValidationException", "ssm-thing": "ValidationException", "/AWS/x": "ValidationException",
			"a/b": "ValidationException", "/a b": "ValidationException", "/a//b": "ValidationException",
			deep: "HierarchyLevelLimitExceededException",
		} {
			_, err := c.PutParameter(bg, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("v"), Type: types.ParameterTypeString})
			if code(err) != want {
				t.Errorf("PutParameter(%q) = %v; want %s", name, err, want)
			}
		}
		_, err := c.PutParameter(bg, &ssm.PutParameterInput{Name: aws.String("/p"), Value: aws.String("abc"), Type: types.ParameterTypeString, AllowedPattern: aws.String("^[0-9]+$")})
		if code(err) != "ParameterPatternMismatchException" {
			t.Errorf("PutParameter(pattern mismatch) = %v", err)
		}
		_, err = c.PutParameter(bg, &ssm.PutParameterInput{Name: aws.String("/p"), Value: aws.String(strings.Repeat("x", 4097)), Type: types.ParameterTypeString})
		if code(err) != "ValidationException" {
			t.Errorf("PutParameter(4097 standard) = %v", err)
		}
		out, err := c.PutParameter(bg, &ssm.PutParameterInput{Name: aws.String("/p"), Value: aws.String(strings.Repeat("x", 4097)), Type: types.ParameterTypeString, Tier: types.ParameterTierIntelligentTiering})
		if err != nil || out.Tier != types.ParameterTierAdvanced {
			t.Errorf("PutParameter(intelligent tiering, 4097) = %+v, %v; want Advanced", out, err)
		}
		pol := `[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2030-01-01T00:00:00.000Z"}}]`
		out, err = c.PutParameter(bg, &ssm.PutParameterInput{Name: aws.String("/pol"), Value: aws.String("v"), Type: types.ParameterTypeString, Policies: aws.String(pol)})
		if err != nil || out.Tier != types.ParameterTierAdvanced {
			t.Errorf("PutParameter(policies) = %+v, %v; want Advanced", out, err)
		}
		_, err = c.PutParameter(bg, &ssm.PutParameterInput{Name: aws.String("/pol2"), Value: aws.String("v"), Type: types.ParameterTypeString, Policies: aws.String(`[{"Type":"Nope"}]`)})
		if code(err) != "InvalidPolicyTypeException" {
			t.Errorf("PutParameter(bad policy type) = %v", err)
		}
		_, err = c.PutParameter(bg, &ssm.PutParameterInput{Name: aws.String("/q"), Value: aws.String("v"), Type: types.ParameterTypeString, DataType: aws.String("Text")})
		if code(err) != "ValidationException" {
			t.Errorf("PutParameter(DataType Text) = %v", err)
		}
		_, err = c.PutParameter(bg, &ssm.PutParameterInput{Name: aws.String("/q"), Value: aws.String("v"), Type: types.ParameterTypeSecureString, KeyId: aws.String("alias/nope")})
		if code(err) != "InvalidKeyId" {
			t.Errorf("PutParameter(unknown key) = %v; want InvalidKeyId", err)
		}
	})
}

func TestSecureString(t *testing.T) {
	each(t, func(t *testing.T, c *ssm.Client, srv *gureumtest.Server) {
		put(t, c, "/app/password", "hunter2-very-secret", types.ParameterTypeSecureString, false)
		enc, err := c.GetParameter(bg, &ssm.GetParameterInput{Name: aws.String("/app/password")})
		if err != nil || *enc.Parameter.Value == "hunter2-very-secret" || enc.Parameter.Type != types.ParameterTypeSecureString {
			t.Errorf("GetParameter(no decryption) = %+v, %v; want the ciphertext", enc.Parameter, err)
		}
		dec, err := c.GetParameter(bg, &ssm.GetParameterInput{Name: aws.String("/app/password"), WithDecryption: aws.Bool(true)})
		if err != nil || *dec.Parameter.Value != "hunter2-very-secret" {
			t.Errorf("GetParameter(WithDecryption) = %+v, %v", dec.Parameter, err)
		}
		k := kms.NewFromConfig(srv.Config())
		key, _ := k.CreateKey(bg, &kms.CreateKeyInput{})
		_, err = c.PutParameter(bg, &ssm.PutParameterInput{Name: aws.String("/app/token"), Value: aws.String("tok"), Type: types.ParameterTypeSecureString, KeyId: key.KeyMetadata.KeyId})
		if err != nil {
			t.Fatal(err)
		}
		desc, err := c.DescribeParameters(bg, &ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Type"), Values: []string{"SecureString"}}}})
		if err != nil || len(desc.Parameters) != 2 || *desc.Parameters[0].KeyId != "alias/aws/ssm" || *desc.Parameters[1].KeyId != *key.KeyMetadata.KeyId {
			t.Errorf("DescribeParameters(SecureString) = %+v, %v", desc, err)
		}
		k.DisableKey(bg, &kms.DisableKeyInput{KeyId: key.KeyMetadata.KeyId})
		if _, err := c.GetParameter(bg, &ssm.GetParameterInput{Name: aws.String("/app/token"), WithDecryption: aws.Bool(true)}); code(err) != "DisabledException" {
			t.Errorf("GetParameter(key disabled) = %v; want DisabledException", err)
		}
	})
}

func TestByPath(t *testing.T) {
	each(t, func(t *testing.T, c *ssm.Client, _ *gureumtest.Server) {
		for _, n := range []string{"/svc/a", "/svc/b", "/svc/deep/c", "/svc/deep/er/d", "/other/x", "top"} {
			put(t, c, n, "v", types.ParameterTypeString, false)
		}
		one, err := c.GetParametersByPath(bg, &ssm.GetParametersByPathInput{Path: aws.String("/svc")})
		if err != nil || len(one.Parameters) != 2 {
			t.Errorf("GetParametersByPath(/svc) = %d, %v; want a and b", len(one.Parameters), err)
		}
		var all []string
		p := ssm.NewGetParametersByPathPaginator(c, &ssm.GetParametersByPathInput{Path: aws.String("/svc/"), Recursive: aws.Bool(true), MaxResults: aws.Int32(3)})
		for p.HasMorePages() {
			page, err := p.NextPage(bg)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range page.Parameters {
				all = append(all, *x.Name)
			}
		}
		if len(all) != 4 {
			t.Errorf("GetParametersByPath(recursive, paged) = %v; want 4", all)
		}
		if _, err := c.GetParametersByPath(bg, &ssm.GetParametersByPathInput{Path: aws.String("svc")}); code(err) != "ValidationException" {
			t.Errorf("GetParametersByPath(no slash) = %v", err)
		}
		c.AddTagsToResource(bg, &ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/svc/a"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
		tags, err := c.ListTagsForResource(bg, &ssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/svc/a")})
		if err != nil || len(tags.TagList) != 1 {
			t.Errorf("ListTagsForResource = %+v, %v", tags, err)
		}
		d, err := c.DescribeParameters(bg, &ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("tag:team"), Values: []string{"blue"}}}})
		if err != nil || len(d.Parameters) != 1 || *d.Parameters[0].Name != "/svc/a" {
			t.Errorf("DescribeParameters(tag:team) = %+v, %v", d, err)
		}
		d, err = c.DescribeParameters(bg, &ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Path"), Option: aws.String("Recursive"), Values: []string{"/svc/deep"}}}})
		if err != nil || len(d.Parameters) != 2 {
			t.Errorf("DescribeParameters(Path recursive) = %+v, %v", d, err)
		}
		if _, err := c.DescribeParameters(bg, &ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Colour"), Values: []string{"x"}}}}); code(err) != "InvalidFilterKey" {
			t.Errorf("DescribeParameters(bad key) = %v", err)
		}
	})
}
