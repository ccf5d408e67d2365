package iam_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestServiceLinkedRoleDeletion: DeleteServiceLinkedRole deletes a service-linked role (and only
// such a role) and its task reports SUCCEEDED; a malformed task id is InvalidInput.
func TestServiceLinkedRoleDeletion(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	ctx := context.Background()
	c := awsiam.NewFromConfig(srv.Config())
	role, err := c.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("lambda.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("plain"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("plain")}); apiCode(err) != "InvalidInput" {
		t.Errorf("DeleteServiceLinkedRole(a plain role) = %v; want InvalidInput", err)
	}
	out, err := c.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: role.Role.RoleName})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: out.DeletionTaskId})
	if err != nil || st.Status != types.DeletionTaskStatusTypeSucceeded {
		t.Errorf("GetServiceLinkedRoleDeletionStatus(%s) = %+v, %v; want SUCCEEDED", aws.ToString(out.DeletionTaskId), st, err)
	}
	if _, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: role.Role.RoleName}); apiCode(err) != "NoSuchEntity" {
		t.Errorf("GetRole(deleted) = %v; want NoSuchEntity", err)
	}
	if _, err := c.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String("task/nope")}); apiCode(err) != "InvalidInput" {
		t.Errorf("GetServiceLinkedRoleDeletionStatus(malformed) = %v; want InvalidInput", err)
	}
}

// TestInstanceProfileTags: instance profiles take tags like every other entity.
func TestInstanceProfileTags(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	ctx := context.Background()
	c := awsiam.NewFromConfig(srv.Config())
	if _, err := c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("web"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}, {Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagInstanceProfile(ctx, &awsiam.UntagInstanceProfileInput{InstanceProfileName: aws.String("web"), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.ListInstanceProfileTags(ctx, &awsiam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web")})
	if err != nil || len(got.Tags) != 1 || aws.ToString(got.Tags[0].Key) != "team" || aws.ToString(got.Tags[0].Value) != "blue" {
		t.Errorf("ListInstanceProfileTags = %+v, %v; want team=blue", got, err)
	}
	if _, err := c.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("nope"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); apiCode(err) != "NoSuchEntity" {
		t.Errorf("TagInstanceProfile(missing) = %v; want NoSuchEntity", err)
	}
}
