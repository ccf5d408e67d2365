package dynamodb_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestIAM holds item operations to the caller's policies: a user allowed GetItem on one table
// reads it, and is denied writes and every other table.
func TestIAM(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	ctx := context.Background()
	root := ddb.NewFromConfig(srv.Config())
	makeTable(t, root, "allowed", types.ScalarAttributeTypeS)
	makeTable(t, root, "other", types.ScalarAttributeTypeS)
	put(t, root, "allowed", key(s("p"), s("1")))
	admin := awsiam.NewFromConfig(srv.Config())
	if _, err := admin.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("reader")}); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:us-east-1:000000000000:table/allowed"}]}`
	if _, err := admin.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("reader"), PolicyName: aws.String("read"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	k, err := admin.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("reader")})
	if err != nil {
		t.Fatal(err)
	}
	user := ddb.NewFromConfig(gureumtest.ConfigFor(srv.Endpoint, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), ""))
	if got, err := user.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String("allowed"), Key: key(s("p"), s("1"))}); err != nil || got.Item == nil {
		t.Errorf("GetItem(allowed) = %v, %v", got, err)
	}
	_, err = user.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String("allowed"), Item: key(s("p"), s("2"))})
	wantErr(t, "PutItem(not allowed)", err, "AccessDeniedException", "")
	_, err = user.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String("other"), Key: key(s("p"), s("1"))})
	wantErr(t, "GetItem(other table)", err, "AccessDeniedException", "")
	_, err = user.ListTables(ctx, &ddb.ListTablesInput{})
	wantErr(t, "ListTables(not allowed)", err, "AccessDeniedException", "")
}
