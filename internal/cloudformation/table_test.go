package cloudformation_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestSAMSimpleTable deploys an AWS::Serverless::SimpleTable: an AWS::DynamoDB::Table keyed by
// its PrimaryKey, its Arn for Fn::GetAtt, deleted with its stack.
func TestSAMSimpleTable(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := clients{cfn: cloudformation.NewFromConfig(srv.Config()), srv: srv}
	db := dynamodb.NewFromConfig(srv.Config())
	deploy(t, c, "tables", `
Transform: AWS::Serverless-2016-10-31
Resources:
  People:
    Type: AWS::Serverless::SimpleTable
    Properties:
      PrimaryKey: {Name: pk, Type: Number}
Outputs:
  Name:
    Value: !Ref People
  Arn:
    Value: !GetAtt People.Arn
`)
	st := stack(t, c, "tables")
	if st.StackStatus != cfntypes.StackStatusCreateComplete {
		t.Fatalf("create: %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	o := outputs(st)
	d, err := db.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String(o["Name"])})
	if err != nil || aws.ToString(d.Table.TableArn) != o["Arn"] || aws.ToString(d.Table.KeySchema[0].AttributeName) != "pk" ||
		d.Table.BillingModeSummary == nil || d.Table.BillingModeSummary.BillingMode != "PAY_PER_REQUEST" {
		t.Fatalf("DescribeTable = %+v, %v; want the table keyed by pk, billed per request", d, err)
	}
	if _, err := c.cfn.DeleteStack(bg, &cloudformation.DeleteStackInput{StackName: aws.String("tables")}); err != nil {
		t.Fatal(err)
	}
	stack(t, c, aws.ToString(st.StackId))
	if _, err := db.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String(o["Name"])}); err == nil {
		t.Error("the table outlived its stack")
	}
}
