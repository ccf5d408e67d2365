package sts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gureum/gureum/internal/gureumtest"
)

func TestAssumeRoleWithTheSDK(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + gureumtest.AccountID + `:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext-42"}}}]}`
	_, err := iam.NewFromConfig(srv.Config()).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Worker"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	client := sts.NewFromConfig(srv.Config())
	roleARN := "arn:aws:iam::" + gureumtest.AccountID + ":role/Worker"
	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("job"), ExternalId: aws.String("ext-42"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	c := out.Credentials
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || time.Until(aws.ToTime(c.Expiration)) > 15*time.Minute || time.Until(aws.ToTime(c.Expiration)) < 14*time.Minute {
		t.Errorf("Credentials = %s expiring %v; want ASIA… in 15 minutes", aws.ToString(c.AccessKeyId), aws.ToTime(c.Expiration))
	}
	sessionARN := "arn:aws:sts::" + gureumtest.AccountID + ":assumed-role/Worker/job"
	if aws.ToString(out.AssumedRoleUser.Arn) != sessionARN || !strings.HasSuffix(aws.ToString(out.AssumedRoleUser.AssumedRoleId), ":job") {
		t.Errorf("AssumedRoleUser = %s %s", aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(out.AssumedRoleUser.AssumedRoleId))
	}
	// The credentials authenticate as the session (the authorizer's denial, if any, names it).
	who, err := sts.NewFromConfig(gureumtest.ConfigFor(srv.Endpoint, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err == nil && aws.ToString(who.Arn) != sessionARN || err != nil && !strings.Contains(err.Error(), sessionARN) {
		t.Errorf("GetCallerIdentity with the session = %+v, %v; want %s", who, err, sessionARN)
	}
	token := []byte(aws.ToString(c.SessionToken))
	token[len(token)/2] ^= 1
	_, err = sts.NewFromConfig(gureumtest.ConfigFor(srv.Endpoint, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), string(token))).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if apiCode(err) != "InvalidClientTokenId" {
		t.Errorf("GetCallerIdentity with a tampered token = %v; want InvalidClientTokenId", err)
	}
	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("job"), ExternalId: aws.String("wrong")})
	if apiCode(err) != "AccessDenied" {
		t.Errorf("AssumeRole with a wrong ExternalId = %v; want AccessDenied", err)
	}
	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("job"), ExternalId: aws.String("ext-42"), DurationSeconds: aws.Int32(3601)})
	if apiCode(err) != "ValidationError" {
		t.Errorf("AssumeRole over MaxSessionDuration = %v; want ValidationError", err)
	}
	st, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil || !strings.HasPrefix(aws.ToString(st.Credentials.AccessKeyId), "ASIA") {
		t.Fatalf("GetSessionToken = %+v, %v", st, err)
	}
	who, err = sts.NewFromConfig(gureumtest.ConfigFor(srv.Endpoint, aws.ToString(st.Credentials.AccessKeyId), aws.ToString(st.Credentials.SecretAccessKey), aws.ToString(st.Credentials.SessionToken))).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:iam::"+gureumtest.AccountID+":root" {
		t.Errorf("GetCallerIdentity with the root's session token = %+v, %v", who, err)
	}
}
