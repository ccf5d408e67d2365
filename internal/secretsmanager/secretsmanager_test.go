package secretsmanager_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

var bg = context.Background()

func each(t *testing.T, fn func(t *testing.T, c *sm.Client)) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			fn(t, sm.NewFromConfig(srv.Config()))
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

var arnPattern = regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:db/main-[a-zA-Z0-9]{6}$`)

func TestSecretLifecycle(t *testing.T) {
	each(t, func(t *testing.T, c *sm.Client) {
		token := "11111111-2222-3333-4444-555555555555"
		cr, err := c.CreateSecret(bg, &sm.CreateSecretInput{Name: aws.String("db/main"), SecretString: aws.String(`{"password":"p1"}`), ClientRequestToken: aws.String(token), Description: aws.String("main db")})
		if err != nil || !arnPattern.MatchString(*cr.ARN) || *cr.VersionId != token {
			t.Fatalf("CreateSecret = %+v, %v", cr, err)
		}
		again, err := c.CreateSecret(bg, &sm.CreateSecretInput{Name: aws.String("db/main"), SecretString: aws.String(`{"password":"p1"}`), ClientRequestToken: aws.String(token)})
		if err != nil || *again.ARN != *cr.ARN {
			t.Errorf("CreateSecret(retry, same token) = %+v, %v; want the same answer", again, err)
		}
		if _, err := c.CreateSecret(bg, &sm.CreateSecretInput{Name: aws.String("db/main"), SecretString: aws.String("other")}); code(err) != "ResourceExistsException" {
			t.Errorf("CreateSecret(exists) = %v", err)
		}
		for _, id := range []string{"db/main", *cr.ARN, strings.TrimSuffix(*cr.ARN, (*cr.ARN)[len(*cr.ARN)-7:])} {
			v, err := c.GetSecretValue(bg, &sm.GetSecretValueInput{SecretId: aws.String(id)})
			if err != nil || *v.SecretString != `{"password":"p1"}` || v.VersionStages[0] != "AWSCURRENT" {
				t.Errorf("GetSecretValue(%s) = %+v, %v", id, v, err)
			}
		}
		put, err := c.PutSecretValue(bg, &sm.PutSecretValueInput{SecretId: aws.String("db/main"), SecretString: aws.String(`{"password":"p2"}`)})
		if err != nil {
			t.Fatal(err)
		}
		prev, err := c.GetSecretValue(bg, &sm.GetSecretValueInput{SecretId: aws.String("db/main"), VersionStage: aws.String("AWSPREVIOUS")})
		if err != nil || *prev.SecretString != `{"password":"p1"}` || *prev.VersionId != token {
			t.Errorf("GetSecretValue(AWSPREVIOUS) = %+v, %v", prev, err)
		}
		if _, err := c.GetSecretValue(bg, &sm.GetSecretValueInput{SecretId: aws.String("db/main"), VersionStage: aws.String("AWSPENDING")}); code(err) != "ResourceNotFoundException" {
			t.Errorf("GetSecretValue(AWSPENDING) = %v", err)
		}
		pend, err := c.PutSecretValue(bg, &sm.PutSecretValueInput{SecretId: aws.String("db/main"), SecretString: aws.String("p3"), VersionStages: []string{"AWSPENDING"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.UpdateSecretVersionStage(bg, &sm.UpdateSecretVersionStageInput{SecretId: aws.String("db/main"), VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: pend.VersionId}); code(err) != "InvalidParameterException" {
			t.Errorf("UpdateSecretVersionStage(without RemoveFromVersionId) = %v", err)
		}
		if _, err := c.UpdateSecretVersionStage(bg, &sm.UpdateSecretVersionStageInput{SecretId: aws.String("db/main"), VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: pend.VersionId, RemoveFromVersionId: put.VersionId}); err != nil {
			t.Fatal(err)
		}
		cur, _ := c.GetSecretValue(bg, &sm.GetSecretValueInput{SecretId: aws.String("db/main")})
		if *cur.SecretString != "p3" {
			t.Errorf("AWSCURRENT after the move = %s", *cur.SecretString)
		}
		ids, err := c.ListSecretVersionIds(bg, &sm.ListSecretVersionIdsInput{SecretId: aws.String("db/main"), IncludeDeprecated: aws.Bool(true)})
		if err != nil || len(ids.Versions) != 3 {
			t.Errorf("ListSecretVersionIds = %+v, %v", ids, err)
		}
		d, err := c.DescribeSecret(bg, &sm.DescribeSecretInput{SecretId: aws.String("db/main")})
		if err != nil || *d.Description != "main db" || len(d.VersionIdsToStages) != 2 || d.LastAccessedDate == nil || d.LastAccessedDate.UTC().Hour() != 0 {
			t.Errorf("DescribeSecret = %+v, %v", d, err)
		}
		bin, err := c.CreateSecret(bg, &sm.CreateSecretInput{Name: aws.String("bin"), SecretBinary: []byte{0, 1, 2, 255}})
		if err != nil {
			t.Fatal(err)
		}
		if v, err := c.GetSecretValue(bg, &sm.GetSecretValueInput{SecretId: bin.ARN}); err != nil || string(v.SecretBinary) != "\x00\x01\x02\xff" || v.SecretString != nil {
			t.Errorf("GetSecretValue(binary) = %+v, %v", v, err)
		}
		batch, err := c.BatchGetSecretValue(bg, &sm.BatchGetSecretValueInput{SecretIdList: []string{"db/main", "bin", "nope"}})
		if err != nil || len(batch.SecretValues) != 2 || len(batch.Errors) != 1 || *batch.Errors[0].ErrorCode != "ResourceNotFoundException" {
			t.Errorf("BatchGetSecretValue = %+v, %v", batch, err)
		}
	})
}

func TestDeleteRestoreList(t *testing.T) {
	each(t, func(t *testing.T, c *sm.Client) {
		for _, n := range []string{"app/a", "app/b", "other"} {
			if _, err := c.CreateSecret(bg, &sm.CreateSecretInput{Name: aws.String(n), SecretString: aws.String("v"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String(n)}}}); err != nil {
				t.Fatal(err)
			}
		}
		for _, days := range []int64{6, 31} {
			if _, err := c.DeleteSecret(bg, &sm.DeleteSecretInput{SecretId: aws.String("app/a"), RecoveryWindowInDays: aws.Int64(days)}); code(err) != "InvalidParameterException" {
				t.Errorf("DeleteSecret(%d days) = %v", days, err)
			}
		}
		del, err := c.DeleteSecret(bg, &sm.DeleteSecretInput{SecretId: aws.String("app/a"), RecoveryWindowInDays: aws.Int64(7)})
		if err != nil || del.DeletionDate == nil {
			t.Fatalf("DeleteSecret = %+v, %v", del, err)
		}
		if _, err := c.GetSecretValue(bg, &sm.GetSecretValueInput{SecretId: aws.String("app/a")}); code(err) != "InvalidRequestException" {
			t.Errorf("GetSecretValue(deleted) = %v", err)
		}
		list, _ := c.ListSecrets(bg, &sm.ListSecretsInput{})
		if len(list.SecretList) != 2 {
			t.Errorf("ListSecrets = %d secrets; want 2 without the deleted one", len(list.SecretList))
		}
		list, _ = c.ListSecrets(bg, &sm.ListSecretsInput{IncludePlannedDeletion: aws.Bool(true), Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"app/"}}}})
		if len(list.SecretList) != 2 {
			t.Errorf("ListSecrets(name app/, planned deletion) = %d; want 2", len(list.SecretList))
		}
		list, _ = c.ListSecrets(bg, &sm.ListSecretsInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeTagValue, Values: []string{"other"}}}})
		if len(list.SecretList) != 1 || *list.SecretList[0].Name != "other" {
			t.Errorf("ListSecrets(tag-value other) = %+v", list.SecretList)
		}
		if _, err := c.RestoreSecret(bg, &sm.RestoreSecretInput{SecretId: aws.String("app/a")}); err != nil {
			t.Fatal(err)
		}
		if v, err := c.GetSecretValue(bg, &sm.GetSecretValueInput{SecretId: aws.String("app/a")}); err != nil || *v.SecretString != "v" {
			t.Errorf("GetSecretValue(restored) = %v, %v", v, err)
		}
		if _, err := c.DeleteSecret(bg, &sm.DeleteSecretInput{SecretId: aws.String("other"), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DescribeSecret(bg, &sm.DescribeSecretInput{SecretId: aws.String("other")}); code(err) != "ResourceNotFoundException" {
			t.Errorf("DescribeSecret(force deleted) = %v", err)
		}
		pol := `{"Version":"2012-10-17","Statement":[]}`
		c.PutResourcePolicy(bg, &sm.PutResourcePolicyInput{SecretId: aws.String("app/b"), ResourcePolicy: aws.String(pol)})
		if got, err := c.GetResourcePolicy(bg, &sm.GetResourcePolicyInput{SecretId: aws.String("app/b")}); err != nil || *got.ResourcePolicy != pol {
			t.Errorf("GetResourcePolicy = %v, %v", got, err)
		}
		if _, err := c.PutResourcePolicy(bg, &sm.PutResourcePolicyInput{SecretId: aws.String("app/b"), ResourcePolicy: aws.String("{")}); code(err) != "MalformedPolicyDocumentException" {
			t.Errorf("PutResourcePolicy(bad) = %v", err)
		}
		pw, err := c.GetRandomPassword(bg, &sm.GetRandomPasswordInput{PasswordLength: aws.Int64(40), ExcludePunctuation: aws.Bool(true)})
		if err != nil || len(*pw.RandomPassword) != 40 || strings.ContainsAny(*pw.RandomPassword, "!#$%") {
			t.Errorf("GetRandomPassword = %v, %v", pw, err)
		}
		if _, err := c.RotateSecret(bg, &sm.RotateSecretInput{SecretId: aws.String("app/b"), RotationLambdaARN: aws.String("arn:aws:lambda:us-east-1:000000000000:function:rot"), RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}}); code(err) != "InvalidRequestException" {
			t.Errorf("RotateSecret(no Lambda here) = %v; want InvalidRequestException", err)
		}
	})
}
